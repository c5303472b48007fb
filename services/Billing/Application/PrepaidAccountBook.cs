using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Billing.Data;
using Platform.Billing.Domain;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

public sealed record PrepaidBalanceView(Guid CustomerId, PrepaidAccount? Account, decimal Available, string Currency);

/// <summary>Opens prepaid accounts and answers balances.</summary>
public sealed class PrepaidAccountBook(BillingDb db, Customers.CustomersClient customers, IOptions<BillingOptions> options, TimeProvider clock)
{
    // The balance read is the hottest query of the service: compiled once rather than translated on every call.
    private static readonly Func<BillingDb, Guid, CancellationToken, Task<PrepaidAccount?>> AccountOf =
        EF.CompileAsyncQuery((BillingDb db, Guid customerId, CancellationToken ct) => db.PrepaidAccounts.AsNoTracking().SingleOrDefault(a => a.CustomerId == customerId));

    /// <summary>
    /// Opens the account (queuing PrepaidAccountOpened) unless the customer has one; answers whether it did. The caller saves.
    /// </summary>
    public async Task<bool> OpenAsync(Guid customerId, CancellationToken ct) => await OpenAllAsync([customerId], ct) > 0;

    /// <summary>
    /// Opens the accounts of the customers that have none (one query for all of them), queuing a PrepaidAccountOpened
    /// each; answers how many it opened. The caller saves.
    /// </summary>
    public async Task<int> OpenAllAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        var ids = customerIds.Distinct().ToList();
        var open = (await db.PrepaidAccounts.Where(a => ids.Contains(a.CustomerId)).Select(a => a.CustomerId).ToListAsync(ct)).ToHashSet();
        open.UnionWith(db.PrepaidAccounts.Local.Select(a => a.CustomerId));
        var now = clock.GetUtcNow();
        var opened = 0;
        foreach (var customerId in ids.Where(id => !open.Contains(id)))
        {
            var account = new PrepaidAccount
            {
                Id = Guid.CreateVersion7(),
                CustomerId = customerId,
                Currency = options.Value.DefaultCurrency,
                OpenedAt = now,
            };
            db.PrepaidAccounts.Add(account);
            db.Enqueue(new PrepaidAccountOpened(Guid.CreateVersion7(), account.OpenedAt, customerId, account.Id, account.Currency), clock);
            opened++;
        }

        return opened;
    }

    /// <summary>
    /// For consumers whose event may overtake CustomerRegistered: opens the account now and saves it, so the ledger's own
    /// SQL in the same transaction finds the row.
    /// </summary>
    public Task EnsureOpenAsync(Guid customerId, CancellationToken ct) => EnsureOpenAllAsync([customerId], ct);

    /// <summary><see cref="EnsureOpenAsync"/> for several customers, with one query.</summary>
    public async Task EnsureOpenAllAsync(IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        if (await OpenAllAsync(customerIds, ct) > 0)
        {
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// The available prepaid balance. Until billing has applied CustomerRegistered there is no account: then the
    /// customer service is asked whether the customer exists (pending, zero) or not (NOT_FOUND).
    /// </summary>
    public async Task<PrepaidBalanceView> GetBalanceAsync(Guid customerId, CancellationToken ct)
    {
        var account = await AccountOf(db, customerId, ct);
        if (account is not null)
        {
            return new PrepaidBalanceView(customerId, account, account.PrepaidCash + account.PromotionalCredit, account.Currency);
        }

        try
        {
            await customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customerId.ToString() }, cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new NotFoundException("customer", customerId.ToString());
        }

        return new PrepaidBalanceView(customerId, null, 0m, options.Value.DefaultCurrency);
    }
}
