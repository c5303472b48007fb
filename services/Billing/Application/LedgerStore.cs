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
/// One transfer asked of <see cref="LedgerStore.ApplyManyAsync"/>: <see cref="Build"/> makes it from the customer's
/// locked book (a caller's transfer ignores the book). A replay of <see cref="TransferId"/> answers the first result
/// without building again; with <see cref="CompareReplay"/> the replay must carry the same content.
/// </summary>
/// <param name="TransferId">Null for a transfer whose id derives from the book's content (expiry), which no replay can meet.</param>
/// <param name="Currency">The currency the caller's amounts are in; refused naming legs[0].amount when it is not the account's.</param>
/// <param name="TraceParent">The trace the transfer's events belong to (the caller's, when another task writes it).</param>
public sealed record LedgerPosting(
    Guid CustomerId,
    Guid? TransferId,
    Func<PrepaidBook, Transfer?> Build,
    bool CompareReplay,
    string? Reference,
    string? Currency = null,
    string? TraceParent = null)
{
    /// <summary>
    /// Whether a posting for a merged customer lands on the survivor's book (every posting but the merge's own transfers).
    /// </summary>
    public bool FollowMerges { get; init; } = true;

    /// <summary>The merged customer this posting was asked for, when it was redirected to the survivor.</summary>
    public Guid? MergedFrom { get; init; }

    /// <summary>
    /// Whether the transfer may draw on the customer's prepaid lots (debit prepaid cash, or be built from the lots, as
    /// expiry is). Only then are the customer's open lots read: money coming in makes a lot of its own and touches no
    /// other, so a deposit does not read the lots every earlier deposit left. A posting that says false and then debits
    /// prepaid cash is a programming error, refused before anything is applied.
    /// </summary>
    public bool DrawsOnLots { get; init; } = true;

    /// <summary>A caller's transfer: a replay with the same id must carry the same content.</summary>
    public static LedgerPosting Of(Guid customerId, Transfer transfer, string? currency, string? reference) =>
        Known(customerId, transfer, compareReplay: true, reference, currency, Outbox.CurrentTraceParent());

    /// <summary>A transfer fixed before the book is read: whether it draws on the lots is known from its legs.</summary>
    public static LedgerPosting Known(Guid customerId, Transfer transfer, bool compareReplay, string? reference, string? currency = null,
        string? traceParent = null) =>
        new(customerId, transfer.Id, _ => transfer, compareReplay, reference, currency, traceParent) { DrawsOnLots = DebitsPrepaidCash(transfer) };

    public static bool DebitsPrepaidCash(Transfer transfer) => transfer.Legs.Any(l => l.From == LedgerAccount.PrepaidCash);
}

/// <summary>What one posting came to: applied (or replayed), refused, or nothing to do (both null).</summary>
public readonly record struct PostingResult(AppliedTransfer? Applied, PlatformException? Refusal);

/// <summary>
/// Stores the prepaid book: applies transfers to customers' books in one transaction. The customers' account rows are
/// locked (FOR UPDATE, in customer id order), so parallel transfers against one customer apply one after another and
/// never overdraw, and transactions locking several customers cannot deadlock each other; transfers of different
/// customers do not wait for each other. However many postings a call carries, it is two round trips plus the commit: one
/// batch reads (locks, earlier transfers with the ids, the open lots of the customers whose transfers may draw on them),
/// one batch writes (transfers, entries, lots, balances, outbox), each statement set-based. Inside a caller's transaction
/// (a consumer's inbox transaction) it joins that transaction. A refused posting (overdraft, currency, a reused id)
/// changes nothing and does not stop the others.
/// </summary>
public sealed class LedgerStore(BillingDb db, OutboxSignal signal, TimeProvider clock, Microsoft.Extensions.Options.IOptions<BillingOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly LedgerAccount[] Accounts = Enum.GetValues<LedgerAccount>();

    private const string AccountColumns =
        "payments_clearing, prepaid_cash, promotional_credit, held, receivable, revenue, refunds_payable, risk_reserve, promotions";

    /// <summary>
    /// A transfer fixed before the book is read. A replay with the same id answers the first result; with
    /// <paramref name="compareReplay"/> it must carry the same content.
    /// </summary>
    /// <param name="currency">The currency the caller's amounts are in; refused naming legs[0].amount when it is not the account's.</param>
    public Task<AppliedTransfer> ApplyAsync(Guid customerId, Transfer transfer, string? currency, string? reference, CancellationToken ct,
        bool compareReplay = true) =>
        AppliedAsync(LedgerPosting.Known(customerId, transfer, compareReplay, reference, currency), ct);

    /// <summary>
    /// A transfer built from the locked book (for postings whose legs depend on the balances, like expiry). A replay of
    /// <paramref name="transferId"/> answers the first result without building again.
    /// </summary>
    public Task<AppliedTransfer> ApplyAsync(Guid customerId, Guid transferId, Func<PrepaidBook, Transfer?> build, bool compareReplay,
        string? reference, CancellationToken ct, string? currency = null) =>
        AppliedAsync(new LedgerPosting(customerId, transferId, build, compareReplay, reference, currency), ct);

    private async Task<AppliedTransfer> AppliedAsync(LedgerPosting posting, CancellationToken ct) =>
        await ApplyAsync(posting, ct) ?? throw new PreconditionFailedException("NOTHING_TO_TRANSFER", "transfer", "There is nothing to transfer");

    /// <summary>
    /// A transfer whose id derives from the locked book's content (expiry: from the lots expired), so no replay can
    /// meet it; answers null when <paramref name="build"/> finds nothing to do.
    /// </summary>
    public Task<AppliedTransfer?> TryApplyAsync(Guid customerId, Func<PrepaidBook, Transfer?> build, string? reference, CancellationToken ct) =>
        ApplyAsync(new LedgerPosting(customerId, null, build, CompareReplay: false, reference), ct);

    /// <summary>One posting in its own transaction or the caller's; throws its refusal; null when there was nothing to do.</summary>
    public async Task<AppliedTransfer?> ApplyAsync(LedgerPosting posting, CancellationToken ct)
    {
        IReadOnlyList<PostingResult> results;
        try
        {
            results = await ApplyManyAsync([posting], ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "pk_ledger_transfers")
        {
            // The same id was applied at the same moment to another customer's book (each held its own lock).
            throw ValidationException.For("transfer_id", "was already used for another customer", "TRANSFER_ID_REUSED");
        }

        return results[0].Refusal is { } refusal ? throw refusal : results[0].Applied;
    }

    /// <summary>
    /// Applies the postings in their order, in one transaction (its own, committed here, or the caller's). Answers one
    /// result per posting. A database failure (a transfer id another transaction inserted at the same moment, a lost
    /// connection) throws and, in its own transaction, leaves nothing written.
    /// </summary>
    public async Task<IReadOnlyList<PostingResult>> ApplyManyAsync(IReadOnlyList<LedgerPosting> postings, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null;
        await using var owned = own ? await db.Database.BeginTransactionAsync(ct) : null;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var transaction = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();

        var state = await ReadAsync(connection, transaction, postings, ct);
        if (FollowMerges(postings, state.Redirects) is { } followed)
        {
            // Rare: a posting for a merged customer. Its account row was locked first, so a merge committing meanwhile is seen.
            postings = followed;
            state = await ReadAsync(connection, transaction, postings, ct);
        }

        var now = clock.GetUtcNow();
        var changes = new Changes();
        var results = new PostingResult[postings.Count];
        for (var i = 0; i < postings.Count; i++)
        {
            try
            {
                results[i] = new PostingResult(Post(postings[i], state, changes, now), null);
            }
            catch (PlatformException refusal)
            {
                results[i] = new PostingResult(null, refusal);
            }
        }

        if (changes.Transfers.Count > 0)
        {
            await using var write = new NpgsqlBatch(connection, transaction);
            changes.AddCommands(write, state.Books.Values, now);
            if (changes.Events.Count > 0)
            {
                if (own)
                {
                    write.BatchCommands.Add(Outbox.InsertCommand(changes.Events));
                }
                else
                {
                    db.Set<OutboxMessage>().AddRange(changes.Events); // the caller's SaveChanges writes them and wakes the relay after its commit
                }
            }

            await write.ExecuteNonQueryAsync(ct);
        }

        if (owned is not null)
        {
            await owned.CommitAsync(ct);
            if (own && changes.Events.Count > 0)
            {
                signal.Pulse();
            }
        }

        return results;
    }

    /// <summary>One posting against the locked books; throws a <see cref="PlatformException"/> when refused, having changed nothing.</summary>
    private AppliedTransfer? Post(LedgerPosting posting, LockedBooks state, Changes changes, DateTimeOffset now)
    {
        if (!state.Books.TryGetValue(posting.CustomerId, out var book))
        {
            throw new NotFoundException("prepaid account of customer", posting.CustomerId.ToString());
        }

        if (posting.Currency is not null && posting.Currency != book.Currency)
        {
            throw ValidationException.For("legs[0].amount.currency_code", $"must be the account's currency {book.Currency}", "CURRENCY_MISMATCH");
        }

        if (posting.TransferId is { } id && state.Earlier.TryGetValue(id, out var earlier))
        {
            if (earlier.CustomerId != posting.CustomerId && earlier.CustomerId != posting.MergedFrom)
            {
                throw ValidationException.For("customer_id", "differs from the transfer first applied with this id", "TRANSFER_ID_REUSED");
            }

            if (posting.CompareReplay && posting.Build(book.Book) is { } replayed && replayed.FirstDifference(earlier.Transfer) is { } field)
            {
                throw ValidationException.For(field, "differs from the transfer first applied with this id", "TRANSFER_ID_REUSED");
            }

            return new AppliedTransfer(earlier.Transfer, posting.CustomerId, true, book.Balances(), book.Currency, earlier.AppliedAt);
        }

        var transfer = posting.Build(book.Book);
        if (transfer is null)
        {
            return null;
        }

        if (!posting.DrawsOnLots && LedgerPosting.DebitsPrepaidCash(transfer))
        {
            throw new InvalidOperationException($"Transfer {transfer.Id} debits prepaid cash but its posting said it draws on no lot (their lots were not read)");
        }

        if (posting.TransferId is not null && transfer.Id != posting.TransferId)
        {
            throw new InvalidOperationException("The built transfer must carry the id it was asked for");
        }

        if (posting.TransferId is null && state.Earlier.ContainsKey(transfer.Id))
        {
            return null; // a content-derived transfer (expiry) already applied: its content is that of the book it was built from
        }

        var before = book.Balances();
        var outcome = book.Book.Apply(transfer); // throws, changing nothing, when a balance would fall below its floor
        var balances = book.Balances();
        book.Applied(transfer.Id);
        changes.Transfers.Add((posting, transfer));
        changes.AddEntries(posting.CustomerId, outcome.Entries, before);

        var applied = new AppliedTransfer(transfer, posting.CustomerId, false, balances, book.Currency, now);
        state.Earlier[transfer.Id] = new EarlierTransfer(posting.CustomerId, transfer, now);
        var available = applied.Available;
        var availableBefore = before[LedgerAccount.PrepaidCash] + before[LedgerAccount.PromotionalCredit];
        if (available != availableBefore)
        {
            changes.Events.Add(Outbox.Message(new PrepaidBalanceChanged(Guid.CreateVersion7(), now, posting.CustomerId, transfer.Id, transfer.Code,
                available, book.Currency), clock, posting.TraceParent));
        }

        // Low balance by amount fires on the transfer that crosses the threshold, so once per crossing.
        var threshold = options.Value.LowBalanceAmount;
        if (threshold > 0 && availableBefore >= threshold && available < threshold)
        {
            changes.Events.Add(Outbox.Message(new PrepaidBalanceLow(Guid.CreateVersion7(), now, posting.CustomerId, available, book.Currency,
                "amount", threshold, null), clock, posting.TraceParent));
        }

        return applied;
    }

    /// <summary>A transfer as stored in ledger_transfers, for a use case that builds on an earlier one (a deposit's reversal).</summary>
    public static Transfer Stored(LedgerTransferRow row) =>
        new(row.Id, row.Code, JsonSerializer.Deserialize<List<StoredLeg>>(row.Legs, Json)!.Select(l => l.ToLeg()).ToList());

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

    /// <summary>One customer's locked account: the book postings apply to, and the lots as they were read.</summary>
    private sealed class LockedAccount(Guid customerId, Guid accountId, string currency, PrepaidBook book, IReadOnlyList<Lot> lotsRead)
    {
        public Guid CustomerId { get; } = customerId;

        public Guid AccountId { get; } = accountId;

        public string Currency { get; } = currency;

        public PrepaidBook Book { get; } = book;

        public Dictionary<Guid, decimal> LotsRead { get; } = lotsRead.ToDictionary(l => l.Id, l => l.Remaining);

        /// <summary>The lots the postings created, with the transfer that created each.</summary>
        public Dictionary<Guid, Guid> NewLots { get; } = [];

        public bool Changed { get; private set; }

        public void Applied(Guid transferId)
        {
            Changed = true;
            foreach (var lot in Book.Lots)
            {
                if (!LotsRead.ContainsKey(lot.Id))
                {
                    NewLots.TryAdd(lot.Id, transferId);
                }
            }
        }

        public Dictionary<LedgerAccount, decimal> Balances() => Accounts.ToDictionary(a => a, Book.Balance);
    }

    private sealed record LockedBooks(Dictionary<Guid, LockedAccount> Books, Dictionary<Guid, EarlierTransfer> Earlier, Dictionary<Guid, Guid> Redirects);

    /// <summary>The postings with merged customers' ones sent to their survivors (see CustomerMerges); null when none is.</summary>
    private static LedgerPosting[]? FollowMerges(IReadOnlyList<LedgerPosting> postings, Dictionary<Guid, Guid> redirects) =>
        postings.Any(p => p.FollowMerges && redirects.ContainsKey(p.CustomerId))
            ? postings.Select(p => p.FollowMerges && redirects.TryGetValue(p.CustomerId, out var survivor)
                ? p with { CustomerId = survivor, MergedFrom = p.CustomerId }
                : p).ToArray()
            : null;

    /// <summary>What the postings of one call write, gathered so that each table gets one statement.</summary>
    private sealed class Changes
    {
        public List<(LedgerPosting Posting, Transfer Transfer)> Transfers { get; } = [];

        /// <summary>The events the postings raise, as outbox rows.</summary>
        public List<OutboxMessage> Events { get; } = [];

        private readonly List<(Guid TransferId, Guid CustomerId, short Leg, string Account, bool Debit, decimal Amount, decimal After)> entries = [];

        public void AddEntries(Guid customerId, IReadOnlyList<Entry> posted, IReadOnlyDictionary<LedgerAccount, decimal> before)
        {
            var running = new Dictionary<LedgerAccount, decimal>(before);
            foreach (var e in posted)
            {
                running[e.Account] += e.Account.Effect(e.Debit, e.Amount);
                entries.Add((e.TransferId, customerId, (short)e.Leg, e.Account.ToString(), e.Debit, e.Amount, running[e.Account]));
            }
        }

        public void AddCommands(NpgsqlBatch batch, IEnumerable<LockedAccount> books, DateTimeOffset now)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO ledger_transfers (id, customer_id, code, legs, reference, applied_at) " +
                "SELECT t.id, t.customer_id, t.code, t.legs, t.reference, $6 FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[]) AS t(id, customer_id, code, legs, reference)",
                Transfers.Select(t => t.Transfer.Id).ToArray(),
                Transfers.Select(t => t.Posting.CustomerId).ToArray(),
                Transfers.Select(t => t.Transfer.Code).ToArray(),
                Transfers.Select(t => JsonSerializer.Serialize(t.Transfer.Legs.Select(StoredLeg.Of), Json)).ToArray(),
                new NpgsqlParameter { Value = Transfers.Select(t => t.Posting.Reference).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                now));
            batch.BatchCommands.Add(Command(
                "INSERT INTO ledger_entries (transfer_id, customer_id, leg, account, debit, amount, balance_after, posted_at) " +
                "SELECT e.transfer_id, e.customer_id, e.leg, e.account, e.debit, e.amount, e.balance_after, $8 " +
                "FROM unnest($1::uuid[], $2::uuid[], $3::smallint[], $4::text[], $5::boolean[], $6::numeric[], $7::numeric[]) AS e(transfer_id, customer_id, leg, account, debit, amount, balance_after)",
                entries.Select(e => e.TransferId).ToArray(), entries.Select(e => e.CustomerId).ToArray(), entries.Select(e => e.Leg).ToArray(),
                entries.Select(e => e.Account).ToArray(), entries.Select(e => e.Debit).ToArray(), entries.Select(e => e.Amount).ToArray(),
                entries.Select(e => e.After).ToArray(), now));

            var changed = books.Where(b => b.Changed).ToList();
            var newLots = changed.SelectMany(b => b.Book.Lots.Where(l => b.NewLots.ContainsKey(l.Id)).Select(l => (Book: b, Lot: l))).ToList();
            if (newLots.Count > 0)
            {
                batch.BatchCommands.Add(Command(
                    "INSERT INTO prepaid_lots (id, customer_id, transfer_id, original, remaining, expires_at) " +
                    "SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::numeric[], $6::timestamptz[])",
                    newLots.Select(n => n.Lot.Id).ToArray(),
                    newLots.Select(n => n.Book.CustomerId).ToArray(),
                    newLots.Select(n => n.Book.NewLots[n.Lot.Id]).ToArray(),
                    newLots.Select(n => n.Lot.Original).ToArray(),
                    newLots.Select(n => n.Lot.Remaining).ToArray(),
                    new NpgsqlParameter { Value = newLots.Select(n => n.Lot.ExpiresAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz }));
            }

            var spent = changed.SelectMany(b => b.Book.Lots.Where(l => b.LotsRead.TryGetValue(l.Id, out var read) && read != l.Remaining)).ToList();
            if (spent.Count > 0)
            {
                batch.BatchCommands.Add(Command(
                    "UPDATE prepaid_lots AS l SET remaining = v.remaining FROM unnest($1::uuid[], $2::numeric[]) AS v(id, remaining) WHERE l.id = v.id",
                    spent.Select(l => l.Id).ToArray(), spent.Select(l => l.Remaining).ToArray()));
            }

            var sets = string.Join(", ", AccountColumns.Split(", ").Select(c => $"{c} = v.{c}"));
            var arrays = string.Join(", ", Accounts.Select((_, i) => $"${i + 2}::numeric[]"));
            var values = new List<object> { changed.Select(b => b.AccountId).ToArray() };
            values.AddRange(Accounts.Select(a => changed.Select(b => b.Book.Balance(a)).ToArray()));
            values.Add(now);
            batch.BatchCommands.Add(Command(
                $"UPDATE prepaid_accounts AS a SET {sets}, last_transfer_at = ${Accounts.Length + 2} " +
                $"FROM unnest($1::uuid[], {arrays}) AS v(id, {AccountColumns}) WHERE a.id = v.id",
                [.. values]));
        }

    }

    private static async Task<LockedBooks> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<LedgerPosting> postings,
        CancellationToken ct)
    {
        var customers = postings.Select(p => p.CustomerId).Distinct().ToArray();
        var drawing = postings.Where(p => p.DrawsOnLots).Select(p => p.CustomerId).Distinct().ToArray();
        var transferIds = postings.Where(p => p.TransferId is not null).Select(p => p.TransferId!.Value).Distinct().ToArray();
        await using var read = new NpgsqlBatch(connection, transaction);
        read.BatchCommands.Add(Command("SELECT customer_id, id, currency, credit_limit, " + AccountColumns +
            " FROM prepaid_accounts WHERE customer_id = ANY($1) ORDER BY customer_id FOR UPDATE", customers));
        read.BatchCommands.Add(Command("SELECT id, customer_id, code, legs::text, applied_at FROM ledger_transfers WHERE id = ANY($1)", transferIds));
        read.BatchCommands.Add(Command("SELECT customer_id, id, original, remaining, expires_at FROM prepaid_lots WHERE customer_id = ANY($1) AND remaining > 0", drawing));
        // After the account locks: a merge of one of these customers committed while this waited is seen here.
        read.BatchCommands.Add(Command("SELECT merged_id, survivor_id FROM customer_merges WHERE merged_id = ANY($1)", customers));
        await using var reader = await read.ExecuteReaderAsync(ct);

        var accounts = new List<(Guid CustomerId, Guid AccountId, string Currency, decimal CreditLimit, Dictionary<LedgerAccount, decimal> Balances)>();
        while (await reader.ReadAsync(ct))
        {
            var balances = new Dictionary<LedgerAccount, decimal>();
            for (var i = 0; i < Accounts.Length; i++)
            {
                balances[Accounts[i]] = reader.GetDecimal(4 + i);
            }

            accounts.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2).Trim(), reader.GetDecimal(3), balances));
        }

        await reader.NextResultAsync(ct);
        var earlier = new Dictionary<Guid, EarlierTransfer>();
        while (await reader.ReadAsync(ct))
        {
            var legs = JsonSerializer.Deserialize<List<StoredLeg>>(reader.GetString(3), Json)!.Select(l => l.ToLeg()).ToList();
            var id = reader.GetGuid(0);
            earlier[id] = new EarlierTransfer(reader.GetGuid(1), new Transfer(id, reader.GetString(2), legs), reader.GetFieldValue<DateTimeOffset>(4));
        }

        await reader.NextResultAsync(ct);
        var lots = new Dictionary<Guid, List<Lot>>();
        while (await reader.ReadAsync(ct))
        {
            var lot = new Lot(reader.GetGuid(1), reader.GetDecimal(2), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.GetDecimal(3));
            (lots.TryGetValue(reader.GetGuid(0), out var list) ? list : lots[reader.GetGuid(0)] = []).Add(lot);
        }

        await reader.NextResultAsync(ct);
        var redirects = new Dictionary<Guid, Guid>();
        while (await reader.ReadAsync(ct))
        {
            redirects[reader.GetGuid(0)] = reader.GetGuid(1);
        }

        var books = accounts.ToDictionary(a => a.CustomerId, a =>
        {
            var open = lots.GetValueOrDefault(a.CustomerId) ?? [];
            return new LockedAccount(a.CustomerId, a.AccountId, a.Currency, PrepaidBook.Restore(a.CreditLimit, a.Balances, open), open);
        });
        return new LockedBooks(books, earlier, redirects);
    }

    /// <summary>A statement with positional parameters; a value that is already a parameter (typed arrays) is taken as it is.</summary>
    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(value as NpgsqlParameter ?? new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>A leg as kept in ledger_transfers.legs.</summary>
    /// <remarks>Lot is absent from legs stored before legs could name one (read as null); written only when set.</remarks>
    private sealed record StoredLeg(string From, string To, decimal Amount, DateTimeOffset? LotExpiry,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] Guid? Lot = null)
    {
        public static StoredLeg Of(Leg leg) => new(leg.From.ToString(), leg.To.ToString(), leg.Amount, leg.LotExpiry, leg.Lot);

        public Leg ToLeg() => new(Enum.Parse<LedgerAccount>(From), Enum.Parse<LedgerAccount>(To), Amount, LotExpiry, Lot);
    }
}
