using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// Change-tracking comparers for list-valued columns (<c>uuid[]</c>, <c>text[]</c>), compiled once per element type.
/// </summary>
/// <remarks>
/// The comparer EF Core builds for such a column makes a new element comparer, and compiles it, each time it snapshots
/// or compares a value (dotnet/efcore#35239). Under load that was a dynamic method and a JIT compile for every payment
/// the payment service saved (<c>perf</c>: <c>DynamicMethod.CreateDelegate</c> below <c>AcceptChanges</c>).
/// </remarks>
public static class ListComparers
{
    /// <summary>Gives every <c>List&lt;Guid&gt;</c> and <c>List&lt;string&gt;</c> property of the model a shared comparer. Call it last in OnModelCreating.</summary>
    public static ModelBuilder UseListComparers(this ModelBuilder model)
    {
        foreach (var property in model.Model.GetEntityTypes().SelectMany(e => e.GetDeclaredProperties()))
        {
            if (property.ClrType == typeof(List<Guid>))
            {
                property.SetValueComparer(Of<Guid>.Comparer);
            }
            else if (property.ClrType == typeof(List<string>))
            {
                property.SetValueComparer(Of<string>.Comparer);
            }
        }

        return model;
    }

    private static class Of<T>
    {
        public static readonly ValueComparer<List<T>> Comparer = new(
            (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
            list => list.Aggregate(17, (hash, item) => HashCode.Combine(hash, item)),
            list => list.ToList());
    }
}
