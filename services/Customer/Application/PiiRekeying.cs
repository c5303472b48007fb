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
                var total = await RekeyCustomersAsync(batchSize, ct) + await RekeyContactsAsync(batchSize, ct);
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

    private Task<int> RekeyCustomersAsync(int batchSize, CancellationToken ct)
    {
        var prefix = pii.ActiveKeyId + ":";
        return RekeyPagesAsync(after => db.Customers
            .Where(c => (c.EmailCipher != null && !c.EmailCipher.StartsWith(prefix)) || (c.PhoneCipher != null && !c.PhoneCipher.StartsWith(prefix))
                || (c.IdentityCipher != null && !c.IdentityCipher.StartsWith(prefix)))
            .Where(c => after == null || c.Id.CompareTo(after.Value) > 0)
            .OrderBy(c => c.Id), c => c.Id, customer =>
            {
                if (!TryRekey("customer", customer.Id, customer.EmailCipher, out var email) || !TryRekey("customer", customer.Id, customer.PhoneCipher, out var phone)
                    || !TryRekey("customer", customer.Id, customer.IdentityCipher, out var identity))
                {
                    return false;
                }

                (customer.EmailCipher, customer.PhoneCipher, customer.IdentityCipher) = (email, phone, identity);
                return true;
            }, batchSize, ct);
    }

    private Task<int> RekeyContactsAsync(int batchSize, CancellationToken ct)
    {
        var prefix = pii.ActiveKeyId + ":";
        return RekeyPagesAsync(after => db.Contacts
            .Where(c => (c.EmailCipher != null && !c.EmailCipher.StartsWith(prefix)) || (c.PhoneCipher != null && !c.PhoneCipher.StartsWith(prefix)))
            .Where(c => after == null || c.Id.CompareTo(after.Value) > 0)
            .OrderBy(c => c.Id), c => c.Id, contact =>
            {
                if (!TryRekey("contact", contact.Id, contact.EmailCipher, out var email) || !TryRekey("contact", contact.Id, contact.PhoneCipher, out var phone))
                {
                    return false;
                }

                (contact.EmailCipher, contact.PhoneCipher) = (email, phone);
                return true;
            }, batchSize, ct);
    }

    /// <summary>
    /// Pages through the rows not yet under the active key, in id order (<paramref name="pendingAfter"/>: those after the
    /// given id), re-encrypting each row whose values all can be; a row that cannot be is left as it is
    /// (<see cref="TryRekey"/>) and the pages move on past it. Answers the rows changed.
    /// </summary>
    private async Task<int> RekeyPagesAsync<TRow>(Func<Guid?, IQueryable<TRow>> pendingAfter, Func<TRow, Guid> idOf, Func<TRow, bool> rekey,
        int batchSize, CancellationToken ct)
    {
        var changed = 0;
        Guid? after = null;
        while (true)
        {
            var page = await pendingAfter(after).Take(batchSize).ToListAsync(ct);
            changed += page.Count(rekey);

            // Tracked changes: the cache interceptor drops the cached copies too.
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            if (page.Count < batchSize)
            {
                return changed;
            }

            after = idOf(page[^1]);
        }
    }

    /// <summary>
    /// The cipher under the active key. A cipher under a key that is no longer configured, or one that does not decrypt,
    /// cannot be: logged as an error with the row's id and the key id (never the cipher), and the row is left for an
    /// operator; the next run logs it again until then.
    /// </summary>
    private bool TryRekey(string table, Guid rowId, string? cipher, out string? rekeyed)
    {
        rekeyed = cipher;
        var colon = cipher?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        var keyId = colon > 0 ? cipher![..colon] : null;
        if (cipher is null || keyId == pii.ActiveKeyId)
        {
            return true;
        }

        try
        {
            rekeyed = pii.Protect(pii.Unprotect(cipher));
            return true;
        }
        catch (Exception e) // an unknown key id, a malformed cipher or a failed authentication tag: this value only
        {
            rekeyed = cipher;
            log.LogError("PII of {Table} {RowId} under key {KeyId} cannot be re-encrypted ({Error}); the row is left under its key",
                table, rowId, keyId ?? "(none)", e.GetType().Name);
            return false;
        }
    }
}
