using Platform.BuildingBlocks.Data;
using Microsoft.EntityFrameworkCore;
using Platform.BuildingBlocks.Privacy;
using Platform.Customer.Data;

namespace Platform.Customer.Application;

/// <summary>
/// Re-encrypts PII written with an older key under the active one, in batches. One replica at a time: the run holds
/// a PostgreSQL session advisory lock, and a replica that cannot take it skips the run.
/// </summary>
public sealed class PiiRekeying(CustomerDb db, PiiProtector pii, ILogger<PiiRekeying> log)
{
    /// <summary>Advisory lock key of the run (any constant unique within the customer database).</summary>
    public static readonly long LockKey = AdvisoryLocks.KeyOf("customer-pii-rekeying");

    /// <summary>Re-encrypts everything not yet under the active key; answers the rows changed, or null when another replica holds the run.</summary>
    public async Task<int?> RunAsync(int batchSize, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            if (!await db.TryLockSessionAsync(LockKey, ct))
            {
                return null;
            }

            try
            {
                var total = 0;
                int changed;
                do
                {
                    changed = await RekeyCustomersAsync(batchSize, ct) + await RekeyContactsAsync(batchSize, ct);
                    total += changed;
                }
                while (changed > 0);

                if (total > 0)
                {
                    log.LogInformation("Re-encrypted PII of {Rows} row(s) under key {KeyId}", total, pii.ActiveKeyId);
                }

                return total;
            }
            finally
            {
                await db.UnlockSessionAsync(LockKey);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<int> RekeyCustomersAsync(int batchSize, CancellationToken ct)
    {
        var prefix = pii.ActiveKeyId + ":";
        var batch = await db.Customers
            .Where(c => (c.EmailCipher != null && !c.EmailCipher.StartsWith(prefix)) || (c.PhoneCipher != null && !c.PhoneCipher.StartsWith(prefix))
                || (c.IdentityCipher != null && !c.IdentityCipher.StartsWith(prefix)))
            .OrderBy(c => c.Id).Take(batchSize).ToListAsync(ct);
        foreach (var customer in batch)
        {
            customer.EmailCipher = Rekey(customer.EmailCipher);
            customer.PhoneCipher = Rekey(customer.PhoneCipher);
            customer.IdentityCipher = Rekey(customer.IdentityCipher);
        }

        // Tracked changes: the cache interceptor drops the cached copies too.
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return batch.Count;
    }

    private async Task<int> RekeyContactsAsync(int batchSize, CancellationToken ct)
    {
        var prefix = pii.ActiveKeyId + ":";
        var batch = await db.Contacts
            .Where(c => (c.EmailCipher != null && !c.EmailCipher.StartsWith(prefix)) || (c.PhoneCipher != null && !c.PhoneCipher.StartsWith(prefix)))
            .OrderBy(c => c.Id).Take(batchSize).ToListAsync(ct);
        foreach (var contact in batch)
        {
            contact.EmailCipher = Rekey(contact.EmailCipher);
            contact.PhoneCipher = Rekey(contact.PhoneCipher);
        }

        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return batch.Count;
    }

    private string? Rekey(string? cipher) =>
        cipher is null || PiiProtector.KeyIdOf(cipher) == pii.ActiveKeyId ? cipher : pii.Protect(pii.Unprotect(cipher));
}
