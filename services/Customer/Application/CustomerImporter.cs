using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Platform.BuildingBlocks.Messaging;
using Platform.BuildingBlocks.Privacy;
using Platform.Contracts.Events;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>Section "Import": rows per batch (one transaction and one multi-row insert each).</summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    public int BatchSize { get; set; } = 500;
}

/// <summary>The record an import keeps of a batch: through which row, and whether the stream ended with it.</summary>
public sealed record BatchRecord(ImportReplay Replay, int RowsThrough, bool Done);

/// <summary>
/// Writes a batch of import rows: duplicates (against the database and earlier rows of the file) answered with the
/// existing id, the rest inserted by one multi-row INSERT with a CustomerRegistered per created customer, in one
/// transaction. A concurrent registration of the same phone or e-mail makes that row a duplicate, never a failure.
/// </summary>
public sealed class CustomerImporter(CustomerDb db, PiiProtector pii, TimeProvider clock)
{
    private sealed record Candidate(ImportRow Row, Guid Id, string? EmailCipher, string? EmailIndex, string? PhoneCipher, string? PhoneIndex);

    /// <summary>What an earlier import with this request_id wrote, to answer from (<see cref="ImportReplay"/>).</summary>
    public Task<ImportReplay> ReplayAsync(string requestId, string columns, CancellationToken ct) => ImportReplay.StartAsync(db, pii, requestId, columns, ct);

    /// <summary>
    /// Results of the batch's rows, in row order; <paramref name="seen"/> carries the file's indexes across batches.
    /// The import's record of the batch (<paramref name="record"/>) is saved with the batch by the same statement: a batch
    /// is written with its record or not at all.
    /// </summary>
    public async Task<IReadOnlyList<ImportResult>> WriteBatchAsync(IReadOnlyList<ImportRow> rows, Dictionary<string, Guid> seen, BatchRecord record,
        CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            db.Add(record.Replay.Record(record.RowsThrough, [], record.Done, clock.GetUtcNow()));
            await SaveRecordingAsync(ct);
            db.ChangeTracker.Clear();
            return [];
        }

        var results = new SortedDictionary<int, ImportResult>();
        var candidates = new List<Candidate>();
        foreach (var row in rows)
        {
            if (row.Invalid is not null)
            {
                results[row.Row] = row.Invalid;
                continue;
            }

            var c = row.Customer!;
            candidates.Add(new Candidate(row, Guid.CreateVersion7(),
                c.Email is null ? null : pii.Protect(c.Email), c.Email is null ? null : "e:" + pii.BlindIndex(c.Email),
                c.Phone is null ? null : pii.Protect(c.Phone), c.Phone is null ? null : "p:" + pii.BlindIndex(c.Phone)));
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AddStoredHoldersAsync(candidates, seen, ct);
        var toInsert = new List<Candidate>();
        foreach (var candidate in candidates)
        {
            if (Holder(candidate, seen) is { } holder)
            {
                results[candidate.Row.Row] = new ImportResult(candidate.Row.Row, ImportOutcome.Duplicate, holder.Id, holder.Field);
                continue;
            }

            toInsert.Add(candidate);
            Remember(candidate, candidate.Id, seen);
        }

        var inserted = await InsertAsync(toInsert, tx, ct);
        var lost = toInsert.Where(c => !inserted.Contains(c.Id)).ToList();
        if (lost.Count > 0)
        {
            // Registered concurrently by someone else: those rows are duplicates of what is stored now.
            foreach (var candidate in lost)
            {
                seen.Remove(candidate.EmailIndex ?? "");
                seen.Remove(candidate.PhoneIndex ?? "");
            }

            await AddStoredHoldersAsync(lost, seen, ct);
        }

        var now = clock.GetUtcNow();
        foreach (var candidate in toInsert)
        {
            if (inserted.Contains(candidate.Id))
            {
                results[candidate.Row.Row] = new ImportResult(candidate.Row.Row, ImportOutcome.Created, candidate.Id);
                db.Enqueue(new CustomerRegistered(Guid.CreateVersion7(), now, candidate.Id,
                    candidate.Row.Customer!.Kind.ToString().ToLowerInvariant(), candidate.Row.Customer.OwnerId), clock);
            }
            else
            {
                var holder = Holder(candidate, seen);
                results[candidate.Row.Row] = new ImportResult(candidate.Row.Row, ImportOutcome.Duplicate, holder?.Id, holder?.Field ?? "email");
            }
        }

        IReadOnlyList<ImportResult> answer = [.. results.Values];
        db.Add(record.Replay.Record(record.RowsThrough, answer, record.Done, clock.GetUtcNow()));
        await SaveRecordingAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return answer;
    }

    /// <summary>A batch of the same request_id recorded meanwhile means a twin of this import is running: ABORTED, nothing written.</summary>
    private async Task SaveRecordingAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "import_batches" })
        {
            throw new ConcurrencyConflictException("another import with this request_id is being written; send it again when that one has ended");
        }
    }

    private static (Guid Id, string Field)? Holder(Candidate candidate, Dictionary<string, Guid> seen)
    {
        if (candidate.EmailIndex is not null && seen.TryGetValue(candidate.EmailIndex, out var byEmail))
        {
            return (byEmail, "email");
        }

        return candidate.PhoneIndex is not null && seen.TryGetValue(candidate.PhoneIndex, out var byPhone) ? (byPhone, "phone") : null;
    }

    private static void Remember(Candidate candidate, Guid id, Dictionary<string, Guid> seen)
    {
        if (candidate.EmailIndex is not null)
        {
            seen.TryAdd(candidate.EmailIndex, id);
        }

        if (candidate.PhoneIndex is not null)
        {
            seen.TryAdd(candidate.PhoneIndex, id);
        }
    }

    /// <summary>Adds to <paramref name="seen"/> the stored customers holding the candidates' phones or e-mails (the survivor for a merged one).</summary>
    private async Task AddStoredHoldersAsync(IReadOnlyList<Candidate> candidates, Dictionary<string, Guid> seen, CancellationToken ct)
    {
        var emails = candidates.Where(c => c.EmailIndex is not null).Select(c => c.EmailIndex![2..]).ToList();
        var phones = candidates.Where(c => c.PhoneIndex is not null).Select(c => c.PhoneIndex![2..]).ToList();
        var stored = await db.Customers.AsNoTracking()
            .Where(c => (c.EmailIndex != null && emails.Contains(c.EmailIndex)) || (c.PhoneIndex != null && phones.Contains(c.PhoneIndex)))
            .Select(c => new { c.Id, c.MergedIntoId, c.EmailIndex, c.PhoneIndex })
            .ToListAsync(ct);
        foreach (var s in stored)
        {
            var holder = s.MergedIntoId ?? s.Id;
            if (s.EmailIndex is not null)
            {
                seen.TryAdd("e:" + s.EmailIndex, holder);
            }

            if (s.PhoneIndex is not null)
            {
                seen.TryAdd("p:" + s.PhoneIndex, holder);
            }
        }
    }

    /// <summary>One INSERT … SELECT FROM unnest(arrays) for the whole batch; answers the ids actually inserted.</summary>
    private async Task<HashSet<Guid>> InsertAsync(IReadOnlyList<Candidate> rows, IDbContextTransaction tx, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand("""
            INSERT INTO customers (id, kind, display_name, email_cipher, email_index, phone_cipher, phone_index, owner_id,
                stage, value_tier, intent_grade, industry, gender, family_status, need_type, acquisition_channel,
                tags, custom_attributes, created_at)
            SELECT u.id, u.kind, u.display_name, u.email_cipher, u.email_index, u.phone_cipher, u.phone_index, u.owner_id,
                'Prospect', 'Unrated', 'Ungraded', u.industry, 'Unspecified', 'Unspecified', u.need_type, u.channel,
                CASE WHEN u.tags = '' THEN '{}'::text[] ELSE string_to_array(u.tags, ';') END, '{}'::jsonb, $10
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::text[],
                $11::text[], $12::text[], $13::text[])
                AS u(id, kind, display_name, email_cipher, email_index, phone_cipher, phone_index, owner_id, industry, need_type, channel, tags)
            ON CONFLICT DO NOTHING
            RETURNING id
            """, connection, (NpgsqlTransaction)tx.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Row.Customer!.Kind.ToString()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Row.Customer!.DisplayName).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (object?)r.EmailCipher ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (object?)r.EmailIndex?[2..] ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (object?)r.PhoneCipher ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (object?)r.PhoneIndex?[2..] ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (object?)r.Row.Customer!.OwnerId ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => (object?)r.Row.Industry ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Row.NeedType.ToString()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Row.Channel.ToString()).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => string.Join(';', r.Row.Tags)).ToArray() });

        var inserted = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            inserted.Add(reader.GetGuid(0));
        }

        return inserted;
    }
}
