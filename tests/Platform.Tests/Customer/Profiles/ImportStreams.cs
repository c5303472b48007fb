using Grpc.Core;
using Platform.Contracts.Customer.V1;
using Platform.ServiceDefaults.Auth;
using Platform.Testing;

namespace Platform.Tests.Customer.Profiles;

/// <summary>Streams one CSV import to the customer service and collects every answer.</summary>
public static class ImportStreams
{
    /// <summary>Sends the header and <paramref name="lines"/> as <paramref name="roles"/> (a sales manager when none) and answers what came back.</summary>
    public static async Task<List<ImportCustomersResponse>> ImportAsync(this ProfileService service, string header, string requestId,
        IEnumerable<string> lines, params string[] roles)
    {
        using var call = service.Bulk.ImportCustomers(Tokens.As(roles.Length > 0 ? roles : [Roles.SalesManager]));
        var responses = new List<ImportCustomersResponse>();
        var reading = Task.Run(async () =>
        {
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                responses.Add(response);
            }
        });
        try
        {
            await call.RequestStream.WriteAsync(new ImportCustomersRequest { Header = new ImportHeader { RequestId = requestId, Columns = header } });
            foreach (var line in lines)
            {
                await call.RequestStream.WriteAsync(new ImportCustomersRequest { Line = line });
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The service may end the call (a refusal) while lines are still being sent; the response stream carries
            // the status it ended with.
        }

        await reading;
        return responses;
    }
}
