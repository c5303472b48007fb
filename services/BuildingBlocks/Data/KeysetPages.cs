using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;

namespace Platform.BuildingBlocks.Data;

public static class KeysetPages
{
    private static readonly System.Reflection.MethodInfo CompareTo = typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!;

    /// <summary>
    /// A page of <paramref name="query"/>, newest first by its time-ordered (v7) <paramref name="id"/> property, after the page token
    /// <paramref name="after"/> (the last id of the page before); the next token is the page's last id when more follow.
    /// </summary>
    public static async Task<(IReadOnlyList<T> Page, Guid? Next)> NewestFirstAsync<T>(this IQueryable<T> query, Expression<Func<T, Guid>> id,
        int pageSize, Guid? after, CancellationToken ct)
    {
        if (after is { } token)
        {
            // id.CompareTo(token) < 0, with the token a parameter (one cached plan for every page).
            var older = Expression.LessThan(Expression.Call(id.Body, CompareTo, Expression.Property(Expression.Constant(new Token(token)), nameof(Token.Value))),
                Expression.Constant(0));
            query = query.Where(Expression.Lambda<Func<T, bool>>(older, id.Parameters));
        }

        var rows = await query.OrderByDescending(id).Take(pageSize + 1).ToListAsync(ct);
        if (rows.Count <= pageSize)
        {
            return (rows, null);
        }

        var key = (System.Reflection.PropertyInfo)((MemberExpression)id.Body).Member; // the id is a property: read it, no compile per call
        return (rows.Take(pageSize).ToList(), (Guid)key.GetValue(rows[pageSize - 1])!);
    }

    private sealed record Token(Guid Value);
}
