using System.Text;
using Microsoft.EntityFrameworkCore;
using Platform.Customer.Data;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;

namespace Platform.Customer.Application;

/// <summary>What a list keeps: each non-empty criterion narrows it, values within one are alternatives.</summary>
public sealed record CustomerCriteria(
    IReadOnlyList<LifecycleStage> Stages,
    IReadOnlyList<ValueTier> ValueTiers,
    IReadOnlyList<IntentGrade> IntentGrades,
    IReadOnlyList<string> Industries,
    IReadOnlyList<NeedType> NeedTypes,
    Guid? OwnerId,
    string? Tag,
    IReadOnlyList<AcquisitionChannel> Channels,
    string? NameContains = null);

/// <summary>An opaque keyset position: the id of the last customer of a page (ids are UUIDv7, so newest first is id desc).</summary>
public static class PageToken
{
    private const string Prefix = "c1:";

    public static string Of(Guid lastId) => Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + lastId.ToString("N")))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The position, null for the first page; INVALID_ARGUMENT naming <paramref name="field"/> when it is not one of ours.</summary>
    public static Guid? Parse(string token, string field)
    {
        if (token.Length == 0)
        {
            return null;
        }

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && Guid.TryParseExact(text[Prefix.Length..], "N", out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
            // falls through to the refusal
        }

        throw ValidationException.For(field, "is not a page token this service issued");
    }
}

/// <summary>Filtered, keyset-paged reads of customers (merged ones are history and left out, erased ones unless asked for).</summary>
public sealed class CustomerQueries(CustomerDb db)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>One page, newest first, and the position after it (null on the last page).</summary>
    public async Task<(IReadOnlyList<CustomerProfile> Page, Guid? Next)> PageAsync(CustomerCriteria criteria, int pageSize, Guid? after, CancellationToken ct)
    {
        var rows = await PageQuery(criteria, pageSize, after).ToListAsync(ct);
        var page = rows.Take(pageSize).ToList();
        return (page, rows.Count > pageSize ? page[^1].Id : null);
    }

    /// <summary>Every matching customer, newest first, read page by page so memory stays flat.</summary>
    public async IAsyncEnumerable<CustomerProfile> AllAsync(CustomerCriteria criteria, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        Guid? after = null;
        do
        {
            var (page, next) = await PageAsync(criteria, MaxPageSize, after, ct);
            foreach (var customer in page)
            {
                yield return customer;
            }

            after = next;
        }
        while (after is not null);
    }

    /// <summary>Average profile completeness over a sales rep's current customers (merged and erased ones left out).</summary>
    public async Task<(double Ratio, int Customers)> CompletenessOfOwnerAsync(Guid ownerId, CancellationToken ct)
    {
        var customers = db.Customers.AsNoTracking()
            .Where(c => c.OwnerId == ownerId && c.MergedIntoId == null && c.Stage != LifecycleStage.Erased)
            .AsAsyncEnumerable();
        var (sum, count) = (0d, 0);
        await foreach (var customer in customers.WithCancellation(ct))
        {
            (sum, count) = (sum + ProfileCompleteness.Ratio(customer), count + 1);
        }

        return (count == 0 ? 0 : sum / count, count);
    }

    /// <summary>The query of one page (one row more than the page, to know whether another follows); public for EXPLAIN.</summary>
    public IQueryable<CustomerProfile> PageQuery(CustomerCriteria criteria, int pageSize, Guid? after)
    {
        var query = Filter(db.Customers.AsNoTracking(), criteria);
        if (after is { } position)
        {
            query = query.Where(c => c.Id < position);
        }

        return query.OrderByDescending(c => c.Id).Take(pageSize + 1);
    }

    private static IQueryable<CustomerProfile> Filter(IQueryable<CustomerProfile> query, CustomerCriteria criteria)
    {
        query = query.Where(c => c.MergedIntoId == null);
        if (criteria.Stages.Count > 0)
        {
            query = query.Where(c => criteria.Stages.Contains(c.Stage));
        }
        else
        {
            // Erased customers are pseudonyms; a list shows them only when asked for by stage.
            query = query.Where(c => c.Stage != LifecycleStage.Erased);
        }

        if (criteria.ValueTiers.Count > 0)
        {
            query = query.Where(c => criteria.ValueTiers.Contains(c.ValueTier));
        }

        if (criteria.IntentGrades.Count > 0)
        {
            query = query.Where(c => criteria.IntentGrades.Contains(c.IntentGrade));
        }

        if (criteria.Industries.Count > 0)
        {
            query = query.Where(c => criteria.Industries.Contains(c.Industry!));
        }

        if (criteria.NeedTypes.Count > 0)
        {
            query = query.Where(c => criteria.NeedTypes.Contains(c.NeedType));
        }

        if (criteria.Channels.Count > 0)
        {
            query = query.Where(c => criteria.Channels.Contains(c.AcquisitionChannel));
        }

        if (criteria.OwnerId is { } owner)
        {
            query = query.Where(c => c.OwnerId == owner);
        }

        if (criteria.Tag is { } tag)
        {
            query = query.Where(c => c.Tags.Contains(tag));
        }

        if (criteria.NameContains is { } text)
        {
            var pattern = "%" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal)
                .Replace("_", @"\_", StringComparison.Ordinal) + "%";
            query = query.Where(c => EF.Functions.ILike(c.DisplayName, pattern));
        }

        return query;
    }
}
