using System.Data.Common;
using Npgsql;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// Statements a service sends again and again are prepared on each pooled connection: PostgreSQL then parses, analyses
/// and plans them once per connection instead of once per call. Measured under the ledger bench, parsing and planning
/// were a third of PostgreSQL's CPU before this.
/// </summary>
public static class PreparedStatements
{
    /// <summary>How many distinct statements each connection keeps prepared (Npgsql's Max Auto Prepare).</summary>
    public const int PerConnection = 128;

    /// <summary>
    /// The connection string with automatic preparation turned on, unless it already says otherwise (Max Auto Prepare=0
    /// turns it off for a deployment that runs behind a pooler in transaction mode).
    /// </summary>
    public static string Enable(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare"))
        {
            return connectionString;
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = PerConnection }.ConnectionString;
    }
}
