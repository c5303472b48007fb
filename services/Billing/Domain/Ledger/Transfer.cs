namespace Platform.Billing.Domain.Ledger;

/// <summary>One movement: <paramref name="Amount"/> debited to <paramref name="From"/>'s side and credited to <paramref name="To"/>'s.</summary>
/// <param name="LotExpiry">For money credited to prepaid cash: when that lot expires (null: never).</param>
/// <param name="Lot">
/// For money debited from prepaid cash: the lot to draw from first, as far as it still holds money, before the
/// soonest-expiring others (null: soonest-expiring first). A deposit's reversal names the deposit's own lot, so the
/// customer's other money keeps its place in the expiry order.
/// </param>
public sealed record Leg(LedgerAccount From, LedgerAccount To, decimal Amount, DateTimeOffset? LotExpiry = null, Guid? Lot = null);

/// <summary>
/// A caller-identified, atomic set of legs: all apply or none. Every leg debits one account and credits another by the
/// same amount, so a transfer is balanced by construction.
/// </summary>
public sealed record Transfer(Guid Id, string Code, IReadOnlyList<Leg> Legs)
{
    /// <summary>The first field in which this transfer differs from an earlier one with the same id, or null.</summary>
    public string? FirstDifference(Transfer earlier)
    {
        if (Code != earlier.Code)
        {
            return "code";
        }

        if (Legs.Count != earlier.Legs.Count)
        {
            return "legs";
        }

        for (var i = 0; i < Legs.Count; i++)
        {
            var (a, b) = (Legs[i], earlier.Legs[i]);
            if (a.From != b.From)
            {
                return $"legs[{i}].from";
            }

            if (a.To != b.To)
            {
                return $"legs[{i}].to";
            }

            if (a.Amount != b.Amount)
            {
                return $"legs[{i}].amount";
            }

            if (a.LotExpiry != b.LotExpiry)
            {
                return $"legs[{i}].lot_expiry";
            }

            if (a.Lot != b.Lot)
            {
                return $"legs[{i}].lot";
            }
        }

        return null;
    }
}

/// <summary>One side of a leg as stored: append-only.</summary>
public sealed record Entry(Guid TransferId, int Leg, LedgerAccount Account, bool Debit, decimal Amount);

/// <summary>A dated portion of prepaid cash; spending takes the soonest-expiring lot first.</summary>
public sealed record Lot(Guid Id, decimal Original, DateTimeOffset? ExpiresAt, decimal Remaining);
