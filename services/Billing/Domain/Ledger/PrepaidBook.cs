using Platform.ServiceDefaults.Errors;

namespace Platform.Billing.Domain.Ledger;

/// <summary>What applying a transfer did.</summary>
public sealed record TransferOutcome(Transfer Transfer, bool Replayed, IReadOnlyList<Entry> Entries);

/// <summary>
/// One customer's double-entry, append-only book: balances, prepaid lots and the transfers applied, with the rules the
/// ledger keeps. Plain C#: the service loads a book, applies transfers and stores the new entries and lots.
/// </summary>
public sealed class PrepaidBook(decimal creditLimit = 0m)
{
    /// <summary>Amounts are money: at most 4 decimals (numeric(19,4)).</summary>
    public const int Scale = 4;

    private readonly Dictionary<LedgerAccount, decimal> balances = [];
    private readonly List<Entry> entries = [];
    private readonly List<Lot> lots = [];
    private readonly Dictionary<Guid, Transfer> applied = [];

    /// <summary>
    /// A book as stored: the balances and the lots still holding money. Transfer-id replays are then the store's to
    /// recognise (the restored book knows no earlier transfers).
    /// </summary>
    public static PrepaidBook Restore(decimal creditLimit, IReadOnlyDictionary<LedgerAccount, decimal> balances, IEnumerable<Lot> openLots)
    {
        var book = new PrepaidBook(creditLimit);
        foreach (var (account, balance) in balances)
        {
            book.balances[account] = balance;
        }

        book.lots.AddRange(openLots);
        return book;
    }

    /// <summary>Prepaid cash plus promotional credit: what the customer can spend now (negative while on credit).</summary>
    public decimal Available => Balance(LedgerAccount.PrepaidCash) + Balance(LedgerAccount.PromotionalCredit);

    /// <summary>How far prepaid cash may go below zero: zero unless the contract allows credit.</summary>
    public decimal CreditLimit { get; } = creditLimit;

    public IReadOnlyList<Entry> Entries => entries;

    public IReadOnlyList<Lot> Lots => lots;

    public decimal Balance(LedgerAccount account) => balances.GetValueOrDefault(account);

    /// <summary>
    /// Applies the transfer once. The same id with the same content answers the first result without applying again;
    /// with different content it is refused naming the differing field. A refused transfer changes nothing.
    /// </summary>
    public TransferOutcome Apply(Transfer transfer)
    {
        if (applied.TryGetValue(transfer.Id, out var earlier))
        {
            if (transfer.FirstDifference(earlier) is { } field)
            {
                throw ValidationException.For(field, "differs from the transfer first applied with this id", "TRANSFER_ID_REUSED");
            }

            return new TransferOutcome(earlier, true, entries.Where(e => e.TransferId == transfer.Id).ToList());
        }

        Validate(transfer);
        var next = new Dictionary<LedgerAccount, decimal>(balances);
        for (var i = 0; i < transfer.Legs.Count; i++)
        {
            var leg = transfer.Legs[i];
            next[leg.From] = next.GetValueOrDefault(leg.From) + leg.From.Effect(debit: true, leg.Amount);
            next[leg.To] = next.GetValueOrDefault(leg.To) + leg.To.Effect(debit: false, leg.Amount);
        }

        foreach (var (account, balance) in next)
        {
            var floor = account.Floor(CreditLimit, next.GetValueOrDefault(LedgerAccount.Receivable));
            if (account == LedgerAccount.PaymentsClearing && !LedgerAccounts.MayShortClearing(transfer.Code))
            {
                // Only a payout of money that never came in (and a merge handing such a debt over) takes clearing below
                // zero; no other transfer, whatever its caller, may take it further down than it is.
                floor = Math.Min(0m, balances.GetValueOrDefault(account));
            }

            if (balance < floor)
            {
                throw new PreconditionFailedException("INSUFFICIENT_BALANCE", "accounts/" + account,
                    $"{account} would fall to {balance} (the floor is {floor})");
            }
        }

        var newEntries = new List<Entry>();
        for (var i = 0; i < transfer.Legs.Count; i++)
        {
            var leg = transfer.Legs[i];
            newEntries.Add(new Entry(transfer.Id, i, leg.From, true, leg.Amount));
            newEntries.Add(new Entry(transfer.Id, i, leg.To, false, leg.Amount));
        }

        // Leg by leg, so that lots follow the running prepaid balance within a multi-leg transfer.
        foreach (var leg in transfer.Legs)
        {
            balances[leg.From] = Balance(leg.From) + leg.From.Effect(debit: true, leg.Amount);
            balances[leg.To] = Balance(leg.To) + leg.To.Effect(debit: false, leg.Amount);
            MoveLots(transfer.Id, leg);
        }

        entries.AddRange(newEntries);
        applied[transfer.Id] = transfer;
        return new TransferOutcome(transfer, false, newEntries);
    }

    /// <summary>
    /// The transfer that moves every lot expired at <paramref name="now"/> out of prepaid cash (to revenue), or null when
    /// none has. Its id derives from the lots, so computing it twice and applying both applies it once.
    /// </summary>
    public Transfer? ExpiryTransfer(DateTimeOffset now)
    {
        var expired = lots.Where(l => l.ExpiresAt <= now && l.Remaining > 0).OrderBy(l => l.Id).ToList();
        if (expired.Count == 0)
        {
            return null;
        }

        var id = DeterministicId("expiry:" + string.Join(',', expired.Select(l => $"{l.Id}:{l.Remaining}")));
        return new Transfer(id, "prepaid.expired", expired.Select(l => new Leg(LedgerAccount.PrepaidCash, LedgerAccount.Revenue, l.Remaining)).ToList());
    }

    /// <summary>The ledger's invariants; answers the broken ones (empty when the book is sound).</summary>
    public IReadOnlyList<string> CheckInvariants()
    {
        var broken = new List<string>();
        var debits = entries.Where(e => e.Debit).Sum(e => e.Amount);
        var credits = entries.Where(e => !e.Debit).Sum(e => e.Amount);
        if (debits != credits)
        {
            broken.Add($"debits {debits} != credits {credits}");
        }

        foreach (var account in Enum.GetValues<LedgerAccount>())
        {
            var fromEntries = entries.Where(e => e.Account == account).Sum(e => account.Effect(e.Debit, e.Amount));
            if (fromEntries != Balance(account))
            {
                broken.Add($"{account}: balance {Balance(account)} != sum of entries {fromEntries}");
            }

            var floor = account.Floor(CreditLimit, Balance(LedgerAccount.Receivable));
            if (Balance(account) < floor)
            {
                broken.Add($"{account}: balance {Balance(account)} below {floor}");
            }
        }

        var inLots = lots.Sum(l => l.Remaining);
        if (inLots != Math.Max(0m, Balance(LedgerAccount.PrepaidCash)))
        {
            broken.Add($"lots hold {inLots} but prepaid cash is {Balance(LedgerAccount.PrepaidCash)}");
        }

        return broken;
    }

    private static void Validate(Transfer transfer)
    {
        var check = new Validator()
            .Require(transfer.Id != Guid.Empty, "transfer_id", "must be a UUID")
            .RequireLength(transfer.Code, "code", 1, 64)
            .Require(transfer.Legs.Count > 0, "legs", "at least one leg");
        for (var i = 0; i < transfer.Legs.Count; i++)
        {
            var leg = transfer.Legs[i];
            check.Require(leg.Amount > 0, $"legs[{i}].amount", "must be positive")
                .Require(decimal.Round(leg.Amount, Scale) == leg.Amount, $"legs[{i}].amount", $"at most {Scale} decimals")
                .Require(leg.From != leg.To, $"legs[{i}].to", "must differ from the account debited")
                .Require(Enum.IsDefined(leg.From), $"legs[{i}].from", "unknown account")
                .Require(Enum.IsDefined(leg.To), $"legs[{i}].to", "unknown account")
                .Require(leg.LotExpiry is null || leg.To == LedgerAccount.PrepaidCash, $"legs[{i}].lot_expiry", "only money credited to prepaid cash has a lot")
                .Require(leg.Lot is null || leg.From == LedgerAccount.PrepaidCash, $"legs[{i}].lot", "only money debited from prepaid cash is drawn from a lot");
        }

        check.ThrowIfInvalid();
    }

    /// <summary>
    /// Credit to prepaid cash: a new lot. Debit from prepaid cash: the lot the leg names first (what remains of it),
    /// then the soonest-expiring lots.
    /// </summary>
    private void MoveLots(Guid transferId, Leg leg)
    {
        if (leg.To == LedgerAccount.PrepaidCash)
        {
            lots.Add(new Lot(DeterministicId($"lot:{transferId}:{lots.Count}"), leg.Amount, leg.LotExpiry, leg.Amount));
            RepayCreditFromNewLots();
        }

        if (leg.From == LedgerAccount.PrepaidCash)
        {
            var due = leg.Amount;
            foreach (var lot in lots.Where(l => l.Remaining > 0).OrderBy(l => l.Id != leg.Lot).ThenBy(l => l.ExpiresAt ?? DateTimeOffset.MaxValue)
                         .ThenBy(l => l.Id).ToList())
            {
                var take = Math.Min(due, lot.Remaining);
                lots[lots.IndexOf(lot)] = lot with { Remaining = lot.Remaining - take };
                due -= take;
                if (due == 0)
                {
                    break;
                }
            }
        }
    }

    /// <summary>While prepaid cash is negative (on credit), new money first repays it: lots hold only what is positive.</summary>
    private void RepayCreditFromNewLots()
    {
        var excess = lots.Sum(l => l.Remaining) - Math.Max(0m, Balance(LedgerAccount.PrepaidCash));
        for (var i = lots.Count - 1; i >= 0 && excess > 0; i--)
        {
            var take = Math.Min(excess, lots[i].Remaining);
            lots[i] = lots[i] with { Remaining = lots[i].Remaining - take };
            excess -= take;
        }
    }

    internal static Guid DeterministicId(string seed) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)).AsSpan(0, 16));
}
