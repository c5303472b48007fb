using Platform.Customer.Application;
using Platform.Customer.Domain;
using Platform.ServiceDefaults.Errors;
using Proto = Platform.Contracts.Customer.V1;

namespace Platform.Customer.Grpc;

/// <summary>A CustomerFilter as <see cref="CustomerCriteria"/>; violations name <c>filter.&lt;field&gt;</c>.</summary>
public static class CriteriaMapping
{
    public static CustomerCriteria From(Proto.CustomerFilter? f, Validator check, string? nameContains = null)
    {
        f ??= new Proto.CustomerFilter();
        var industries = f.Industries.Select(i => ProfileRules.Industry(i, "filter.industries", check)).OfType<string>().ToList();
        var tag = f.Tag.Trim().ToLowerInvariant();
        return new CustomerCriteria(
            Enums<LifecycleStage>(f.LifecycleStages.Select(v => (int)v), "filter.lifecycle_stages", check),
            Enums<ValueTier>(f.ValueTiers.Select(v => (int)v), "filter.value_tiers", check),
            Enums<IntentGrade>(f.IntentGrades.Select(v => (int)v), "filter.intent_grades", check),
            industries,
            Enums<NeedType>(f.NeedTypes.Select(v => (int)v), "filter.need_types", check),
            check.OptionalGuid(f.OwnerId, "filter.owner_id"),
            tag.Length == 0 ? null : tag,
            Enums<AcquisitionChannel>(f.AcquisitionChannels.Select(v => (int)v), "filter.acquisition_channels", check),
            nameContains);
    }

    public static int PageSize(int requested, string field, Validator check)
    {
        check.Require(requested is >= 0 and <= CustomerQueries.MaxPageSize, field, $"must be 0-{CustomerQueries.MaxPageSize} (0 means {CustomerQueries.DefaultPageSize})");
        return requested == 0 ? CustomerQueries.DefaultPageSize : Math.Clamp(requested, 1, CustomerQueries.MaxPageSize);
    }

    /// <summary>Values of a repeated enum filter; unspecified (0) or unknown values are refused.</summary>
    private static List<T> Enums<T>(IEnumerable<int> values, string field, Validator check) where T : struct, Enum
    {
        var list = values.ToList();
        // Unrated and Ungraded are stored as 0 and are real filter values for tier and grade.
        var zeroAllowed = typeof(T) == typeof(ValueTier) || typeof(T) == typeof(IntentGrade);
        check.Require(list.All(v => Enum.IsDefined(typeof(T), v) && (v != 0 || zeroAllowed)), field, "contains an unknown value");
        return list.Distinct().Select(v => (T)(object)v).ToList();
    }
}
