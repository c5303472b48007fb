using Npgsql;

namespace Platform.Bench.Scenarios;

/// <summary>
/// Database baseline: one single-row INSERT per operation on a connection taken from an NpgsqlDataSource pool and
/// returned after it, into a table the bench creates (uuid primary key, text, numeric(19,4), timestamptz) and drops.
/// </summary>
public sealed class PgInsertScenario : IScenario
{
    private NpgsqlDataSource? dataSource;
    private string table = "";
    private string insert = "";
    private bool created;

    public string Name => "pg-insert";

    public string Description => "Baseline: raw Npgsql single-row INSERT, pooled connection per call, on --pg or the platform's PostgreSQL.";

    public async Task SetupAsync(BenchContext context)
    {
        var builder = new NpgsqlConnectionStringBuilder(context.RequirePostgres(Name)) { ApplicationName = "platform-bench" };
        builder.MaxPoolSize = Math.Max(builder.MaxPoolSize, context.MaxConcurrency + 4);
        dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        table = $"bench_insert_{Guid.NewGuid():N}"[..26];
        insert = $"INSERT INTO {table} (id, note, amount, created_at) VALUES ($1, $2, $3, $4)";
        try
        {
            await using var create = dataSource.CreateCommand(
                $"CREATE TABLE {table} (id uuid PRIMARY KEY, note text NOT NULL, amount numeric(19,4) NOT NULL, created_at timestamptz NOT NULL)");
            await create.ExecuteNonQueryAsync(context.Cancellation);
            created = true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new BenchException($"pg-insert: cannot create its table on PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database ?? builder.Username}'): {ex.Message}");
        }

        Log.Info($"pg-insert: table {table} on {builder.Host}:{builder.Port}, pool up to {builder.MaxPoolSize}");
    }

    public async Task RunOnceAsync(CancellationToken ct)
    {
        await using var connection = await dataSource!.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(insert, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7() },
                new NpgsqlParameter<string> { TypedValue = "bench" },
                new NpgsqlParameter<decimal> { TypedValue = 1234.5678m },
                new NpgsqlParameter<DateTime> { TypedValue = DateTime.UtcNow },
            },
        };
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task TeardownAsync()
    {
        if (dataSource is null)
        {
            return;
        }

        try
        {
            if (created)
            {
                await using var drop = dataSource.CreateCommand($"DROP TABLE IF EXISTS {table}");
                await drop.ExecuteNonQueryAsync();
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            Log.Info($"pg-insert: could not drop table {table}: {ex.Message}");
        }
        finally
        {
            await dataSource.DisposeAsync();
        }
    }
}
