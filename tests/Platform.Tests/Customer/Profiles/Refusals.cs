using Google.Rpc;
using Grpc.Core;

namespace Platform.Tests.Customer.Profiles;

/// <summary>Assertions on refusals: the status code and the fields named.</summary>
public static class Refusals
{
    public static async Task<RpcException> Refused(StatusCode code, Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, e.StatusCode);
        return e;
    }

    public static async Task<IReadOnlyList<string>> InvalidFields(Func<Task> call)
    {
        var e = await Refused(StatusCode.InvalidArgument, call);
        return [.. e.GetRpcStatus()!.GetDetail<BadRequest>().FieldViolations.Select(v => v.Field)];
    }
}
