using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Platform.Billing.Data;
using Platform.Billing.Domain.Ledger;
using Platform.BuildingBlocks.Messaging;
using Platform.Contracts.Events;
using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Application;

/// <summary>What a transfer left: the customer's balances after it, and whether it was a replay.</summary>
public sealed record AppliedTransfer(
    Transfer Transfer,
    Guid CustomerId,
    bool Replayed,
    IReadOnlyDictionary<LedgerAccount, decimal> Balances,
    string Currency,
    DateTimeOffset AppliedAt)
{
    public decimal Available => Balances[LedgerAccount.PrepaidCash] + Balances[LedgerAccount.PromotionalCredit];
}

/// <summary>
/// Stores the prepaid book: applies a transfer to one customer's book in one transaction. The customer's account row
/// is locked (FOR UPDATE), so parallel transfers against one customer apply one after another and never overdraw;
/// transfers of different customers do not wait for each other. The hot path is two round trips plus the commit: one
/// batch reads (lock, earlier transfer with the id, open lots), one batch writes (transfer, entries, lots, balances,
/// outbox). Inside a caller's transaction (a consumer's inbox transaction) it joins that transaction.
/// </summary>
public sealed class LedgerStore(BillingDb db, OutboxSignal signal, TimeProvider clock, Microsoft.Extensions.Options.IOptions<BillingOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly LedgerAccount[] Accounts = Enum.GetValues<LedgerAccount>();

    private const string AccountColumns =
        "payments_clearing, prepaid_cash, promotional_credit, held, receivable, revenue, refunds_payable, risk_reserve, promotions";

    /// <summary>A caller's transfer: a replay with the same id must carry the same content.</summary>
    /// <param name="currency">The currency the caller's amounts are in; refused naming legs[0].amount when it is not the account's.</param>
    public Task<AppliedTransfer> ApplyAsync(Guid customerId, Transfer transfer, string? currency, string? reference, CancellationToken ct) =>
        ApplyAsync(customerId, transfer.Id, _ => transfer, compareReplay: true, reference, ct, currency);

    /// <summary>
    /// A transfer built from the locked book (for postings whose legs depend on the balances, like expiry). A replay of
    /// <paramref name="transferId"/> answers the first result without building again.
    /// </summary>
    public async Task<AppliedTransfer> ApplyAsync(Guid customerId, Guid transferId, Func<PrepaidBook, Transfer?> build, bool compareReplay,
        string? reference, CancellationToken ct, string? currency = null) =>
        await ApplyCoreAsync(customerId, transferId, build, compareReplay, reference, currency, ct)
        ?? throw new PreconditionFailedException("NOTHING_TO_TRANSFER", "transfer", "There is nothing to transfer");

    /// <summary>
    /// A transfer whose id derives from the locked book's content (expiry: from the lots expired), so no replay can
    /// meet it; answers null when <paramref name="build"/> finds nothing to do.
    /// </summary>
    public Task<AppliedTransfer?> TryApplyAsync(Guid customerId, Func<PrepaidBook, Transfer?> build, string? reference, CancellationToken ct) =>
        ApplyCoreAsync(customerId, null, build, compareReplay: false, reference, null, ct);

    private async Task<AppliedTransfer?> ApplyCoreAsync(Guid customerId, Guid? transferId, Func<PrepaidBook, Transfer?> build, bool compareReplay,
        string? reference, string? currency, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null;
        await using var owned = own ? await db.Database.BeginTransactionAsync(ct) : null;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();

        var state = await ReadAsync(connection, transaction, customerId, transferId ?? Guid.Empty, ct);
        if (currency is not null && currency != state.Currency)
        {
            throw ValidationException.For("legs[0].amount.currency_code", $"must be the account's currency {state.Currency}", "CURRENCY_MISMATCH");
        }
        if (state.Earlier is { } earlier)
        {
            var replayed = build(state.Book);
            if (earlier.CustomerId != customerId)
            {
                throw ValidationException.For("customer_id", "differs from the transfer first applied with this id", "TRANSFER_ID_REUSED");
            }

            if (compareReplay && replayed is not null && replayed.FirstDifference(earlier.Transfer) is { } field)
            {
                throw ValidationException.For(field, "differs from the transfer first applied with this id", "TRANSFER_ID_REUSED");
            }

            return new AppliedTransfer(earlier.Transfer, customerId, true, state.Balances, state.Currency, earlier.AppliedAt);
        }

        var transfer = build(state.Book);
        if (transfer is null)
        {
            return null;
        }

        if (transferId is not null && transfer.Id != transferId)
        {
            throw new InvalidOperationException("The built transfer must carry the id it was asked for");
        }

        var lotsBefore = state.Book.Lots.ToDictionary(l => l.Id, l => l.Remaining);
        var outcome = state.Book.Apply(transfer);
        var now = clock.GetUtcNow();
        var balances = Accounts.ToDictionary(a => a, state.Book.Balance);

        await using var write = new NpgsqlBatch(connection, transaction);
        write.BatchCommands.Add(Command(
            "INSERT INTO ledger_transfers (id, customer_id, code, legs, reference, applied_at) VALUES ($1, $2, $3, $4::jsonb, $5, $6)",
            transfer.Id, customerId, transfer.Code, JsonSerializer.Serialize(transfer.Legs.Select(StoredLeg.Of), Json), (object?)reference ?? DBNull.Value, now));
        write.BatchCommands.Add(EntriesCommand(customerId, outcome.Entries, state.Balances, now));
        AddLotCommands(write, customerId, transfer.Id, lotsBefore, state.Book.Lots);
        write.BatchCommands.Add(Command(
            "UPDATE prepaid_accounts SET (" + AccountColumns + ", last_transfer_at) = ($2, $3, $4, $5, $6, $7, $8, $9, $10, $11) WHERE id = $1",
            [state.AccountId, .. Accounts.Select(a => (object)balances[a]), now]));

        var applied = new AppliedTransfer(transfer, customerId, false, balances, state.Currency, now);
        var available = applied.Available;
        var availableBefore = state.Balances[LedgerAccount.PrepaidCash] + state.Balances[LedgerAccount.PromotionalCredit];
        var announced = false;
        void Announce<TEvent>(TEvent @event) where TEvent : class, IIntegrationEvent
        {
            announced = true;
            if (own)
            {
                var message = Outbox.Message(@event, clock);
                write.BatchCommands.Add(Command(Outbox.OutboxSql, message.Id, message.MessageType, message.Payload,
                    (object?)message.TraceParent ?? DBNull.Value, message.CreatedAt));
            }
            else
            {
                db.Enqueue(@event, clock); // the caller's SaveChanges writes it and wakes the relay after its commit
            }
        }

        if (available != availableBefore)
        {
            Announce(new PrepaidBalanceChanged(Guid.CreateVersion7(), now, customerId, transfer.Id, transfer.Code, available, state.Currency));
        }

        // Low balance by amount fires on the transfer that crosses the threshold, so once per crossing.
        var threshold = options.Value.LowBalanceAmount;
        if (threshold > 0 && availableBefore >= threshold && available < threshold)
        {
            Announce(new PrepaidBalanceLow(Guid.CreateVersion7(), now, customerId, available, state.Currency, "amount", threshold, null));
        }

        try
        {
            await write.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "pk_ledger_transfers")
        {
            // The same id was applied at the same moment to another customer's book (each held its own lock).
            throw ValidationException.For("transfer_id", "was already used for another customer", "TRANSFER_ID_REUSED");
        }

        if (owned is not null)
        {
            await owned.CommitAsync(ct);
            if (announced)
            {
                signal.Pulse();
            }
        }

        return applied;
    }

    public static IReadOnlyDictionary<LedgerAccount, decimal> BalancesOf(Domain.PrepaidAccount a) => new Dictionary<LedgerAccount, decimal>
    {
        [LedgerAccount.PaymentsClearing] = a.PaymentsClearing,
        [LedgerAccount.PrepaidCash] = a.PrepaidCash,
        [LedgerAccount.PromotionalCredit] = a.PromotionalCredit,
        [LedgerAccount.Held] = a.Held,
        [LedgerAccount.Receivable] = a.Receivable,
        [LedgerAccount.Revenue] = a.Revenue,
        [LedgerAccount.RefundsPayable] = a.RefundsPayable,
        [LedgerAccount.RiskReserve] = a.RiskReserve,
        [LedgerAccount.Promotions] = a.Promotions,
    };

    private sealed record EarlierTransfer(Guid CustomerId, Transfer Transfer, DateTimeOffset AppliedAt);

    private sealed record LockedBook(Guid AccountId, string Currency, Dictionary<LedgerAccount, decimal> Balances, PrepaidBook Book, EarlierTransfer? Earlier);

    private static async Task<LockedBook> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid customerId, Guid transferId,
        CancellationToken ct)
    {
        await using var read = new NpgsqlBatch(connection, transaction);
        read.BatchCommands.Add(Command("SELECT id, currency, credit_limit, " + AccountColumns + " FROM prepaid_accounts WHERE customer_id = $1 FOR UPDATE", customerId));
        read.BatchCommands.Add(Command("SELECT customer_id, code, legs::text, applied_at FROM ledger_transfers WHERE id = $1", transferId));
        read.BatchCommands.Add(Command("SELECT id, original, remaining, expires_at FROM prepaid_lots WHERE customer_id = $1 AND remaining > 0", customerId));
        await using var reader = await read.ExecuteReaderAsync(ct);

        if (!await reader.ReadAsync(ct))
        {
            throw new NotFoundException("prepaid account of customer", customerId.ToString());
        }

        var accountId = reader.GetGuid(0);
        var currency = reader.GetString(1).Trim();
        var creditLimit = reader.GetDecimal(2);
        var balances = new Dictionary<LedgerAccount, decimal>();
        for (var i = 0; i < Accounts.Length; i++)
        {
            balances[Accounts[i]] = reader.GetDecimal(3 + i);
        }

        await reader.NextResultAsync(ct);
        EarlierTransfer? earlier = null;
        if (await reader.ReadAsync(ct))
        {
            var legs = JsonSerializer.Deserialize<List<StoredLeg>>(reader.GetString(2), Json)!.Select(l => l.ToLeg()).ToList();
            earlier = new EarlierTransfer(reader.GetGuid(0), new Transfer(transferId, reader.GetString(1), legs), reader.GetFieldValue<DateTimeOffset>(3));
        }

        await reader.NextResultAsync(ct);
        var lots = new List<Lot>();
        while (await reader.ReadAsync(ct))
        {
            lots.Add(new Lot(reader.GetGuid(0), reader.GetDecimal(1), reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3), reader.GetDecimal(2)));
        }

        return new LockedBook(accountId, currency, balances, PrepaidBook.Restore(creditLimit, balances, lots), earlier);
    }

    private static NpgsqlBatchCommand EntriesCommand(Guid customerId, IReadOnlyList<Entry> entries, IReadOnlyDictionary<LedgerAccount, decimal> before,
        DateTimeOffset now)
    {
        var running = new Dictionary<LedgerAccount, decimal>(before);
        var after = new decimal[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            running[e.Account] = running[e.Account] + e.Account.Effect(e.Debit, e.Amount);
            after[i] = running[e.Account];
        }

        var command = new NpgsqlBatchCommand(
            "INSERT INTO ledger_entries (transfer_id, customer_id, leg, account, debit, amount, balance_after, posted_at) " +
            "SELECT $1, $2, e.leg, e.account, e.debit, e.amount, e.balance_after, $3 FROM unnest($4::smallint[], $5::text[], $6::boolean[], $7::numeric[], $8::numeric[]) " +
            "AS e(leg, account, debit, amount, balance_after)");
        command.Parameters.Add(new NpgsqlParameter { Value = entries[0].TransferId });
        command.Parameters.Add(new NpgsqlParameter { Value = customerId });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => (short)e.Leg).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Account.ToString()).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Debit).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Boolean });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Amount).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter { Value = after, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        return command;
    }

    private static void AddLotCommands(NpgsqlBatch batch, Guid customerId, Guid transferId, Dictionary<Guid, decimal> before, IReadOnlyList<Lot> lots)
    {
        foreach (var lot in lots)
        {
            if (!before.TryGetValue(lot.Id, out var remaining))
            {
                batch.BatchCommands.Add(Command(
                    "INSERT INTO prepaid_lots (id, customer_id, transfer_id, original, remaining, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    lot.Id, customerId, transferId, lot.Original, lot.Remaining, (object?)lot.ExpiresAt ?? DBNull.Value));
            }
            else if (remaining != lot.Remaining)
            {
                batch.BatchCommands.Add(Command("UPDATE prepaid_lots SET remaining = $2 WHERE id = $1", lot.Id, lot.Remaining));
            }
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>A leg as kept in ledger_transfers.legs.</summary>
    private sealed record StoredLeg(string From, string To, decimal Amount, DateTimeOffset? LotExpiry)
    {
        public static StoredLeg Of(Leg leg) => new(leg.From.ToString(), leg.To.ToString(), leg.Amount, leg.LotExpiry);

        public Leg ToLeg() => new(Enum.Parse<LedgerAccount>(From), Enum.Parse<LedgerAccount>(To), Amount, LotExpiry);
    }
}
