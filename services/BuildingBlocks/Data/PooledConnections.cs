using System.Data.Common;
using Npgsql;

namespace Platform.BuildingBlocks.Data;

/// <summary>
/// How the services use their pooled PostgreSQL connections. Each setting is added to the connection string unless the
/// string already names it, so a deployment can still choose otherwise.
/// <list type="bullet">
/// <item><b>Prepared statements</b> (<c>Max Auto Prepare=128</c>): statements a service sends again and again are prepared
/// on each pooled connection, and PostgreSQL parses, analyses and plans them once per connection instead of once per call.
/// Measured under the ledger bench, parsing and planning were a third of PostgreSQL's CPU before this. Set
/// <c>Max Auto Prepare=0</c> behind a pooler in transaction mode.</item>
/// <item><b>No reset on close</b> (<c>No Reset On Close=true</c>): by default Npgsql resets a connection's session each
/// time it goes back to the pool, and sends that reset (seven statements in one unprepared simple query: <c>SET SESSION
/// AUTHORIZATION DEFAULT; RESET ALL; CLOSE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD SEQUENCES;
/// DISCARD TEMP</c>) before the next statement, that is before every query and every transaction of every request. The
/// services leave no session state behind: they set no session settings, create no temporary tables, listen on
/// nothing, and the two session advisory locks (<c>ScheduledJob</c>, <c>AdvisoryLocks.TryLockSessionAsync</c>) are
/// released in a <c>finally</c>; a connection that broke before its release is closed, which releases them too.</item>
/// </list>
/// </summary>
public static class PooledConnections
{
    /// <summary>How many distinct statements each connection keeps prepared (Npgsql's Max Auto Prepare).</summary>
    public const int PreparedPerConnection = 128;

    /// <summary>The connection string with the settings above added where it does not set them itself.</summary>
    public static string Tune(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            tuned.MaxAutoPrepare = PreparedPerConnection;
        }

        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            tuned.NoResetOnClose = true;
        }

        return tuned.ConnectionString;
    }
}
