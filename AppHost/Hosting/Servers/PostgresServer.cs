using System.Security.Cryptography;
using Npgsql;
using Platform.Hosting.Processes;

namespace Platform.Hosting.Servers;

/// <summary>
/// PostgreSQL from the installed server binaries (run as the <c>postgres</c> account when we are root).
/// <c>&lt;dir&gt;/data</c> is initialised once (scram-sha-256, password generated into <c>&lt;dir&gt;/password</c>)
/// and kept between starts. Tuned for local use: fsync off (a crash of the machine, not of the server, may lose data).
/// </summary>
public sealed class PostgresServer(int port = 0, Action<string>? output = null, string? binDirectory = null)
    : LocalServer(port, output)
{
    public const string User = "postgres";
    private string? password;

    /// <summary><c>Host=127.0.0.1;Port=P;Username=postgres;Password=…</c> (available once started).</summary>
    public override string ConnectionString => $"Host=127.0.0.1;Port={Port};Username={User};Password={password ?? throw NotStarted()}";

    public string BinDirectory { get; } = binDirectory ?? FindBinDirectory();

    protected override string Kind => "postgres";

    /// <summary>The connection string for one database on this server.</summary>
    public string ConnectionStringFor(string database) => WithDatabase(ConnectionString, database);

    /// <summary>Creates the database unless it exists.</summary>
    public Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default) =>
        CreateDatabaseAsync(ConnectionString, name, cancellationToken);

    /// <summary>Creates the database on the server the connection string points at, unless it exists.</summary>
    public static async Task CreateDatabaseAsync(string serverConnectionString, string name, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }

        var quoted = "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand("CREATE DATABASE " + quoted, connection);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // created concurrently
        }
    }

    /// <summary>The connection string with <c>Database=</c> set.</summary>
    public static string WithDatabase(string serverConnectionString, string database) =>
        new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ConnectionString;

    protected override async Task PrepareAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var passwordFile = Path.Combine(dataDirectory, "password");
        var data = Path.Combine(dataDirectory, "data");
        if (File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            password = File.Exists(passwordFile)
                ? (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim()
                : throw new InvalidOperationException($"{data} exists but {passwordFile} is missing; delete {dataDirectory} to start afresh.");
            return;
        }

        password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true); // a failed earlier initdb
        }

        Directory.CreateDirectory(data);
        UnixFiles.SetMode(data, UnixFiles.PrivateDirectory);
        var pwfile = Path.Combine(dataDirectory, "initdb-password");
        await File.WriteAllTextAsync(pwfile, password + "\n", cancellationToken);
        UnixFiles.SetMode(pwfile, UnixFiles.Private);
        try
        {
            if (Native.IsRoot)
            {
                await RunToolAsync(new ChildProcessSpec("chown", [$"{User}:{User}", data, pwfile]), cancellationToken);
            }

            await RunToolAsync(
                new ChildProcessSpec(Path.Combine(BinDirectory, "initdb"), ["-D", data, "-U", User, "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--no-locale", "--no-sync"])
                {
                    RunAsUser = User,
                    WorkingDirectory = dataDirectory,
                },
                cancellationToken);
        }
        finally
        {
            File.Delete(pwfile);
        }

        await File.WriteAllTextAsync(passwordFile, password, cancellationToken);
        UnixFiles.SetMode(passwordFile, UnixFiles.Private);
    }

    protected override ChildProcessSpec CreateSpec(string dataDirectory) => new(
        Path.Combine(BinDirectory, "postgres"),
        [
            // Every service (and, under test, every test class's in-process hosts at once) keeps its own pool of up
            // to 100 connections; 300 ran out once the payment areas' hosts joined the suite.
            "-D", Path.Combine(dataDirectory, "data"), "-p", Port.ToString(), "-h", "127.0.0.1",
            "-c", "unix_socket_directories=", "-c", "max_connections=1000", "-c", "fsync=off",
            "-c", "synchronous_commit=off", "-c", "full_page_writes=off",

            // The working set lives in memory, so a random page read costs about what a sequential one does; at the
            // default 4 the planner walks the primary key backwards through thousands of rows for a filtered page
            // (owner + industry, channel + need type) instead of using the (segment, id) index that answers it.
            "-c", "random_page_cost=1.1",
        ])
    {
        RunAsUser = User,
        WorkingDirectory = dataDirectory,
        StopSignal = Native.SigInt, // fast shutdown: disconnect clients, checkpoint, exit
        Output = OutputSink,
    };

    protected override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false, Timeout = 2 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is 1;
    }

    private static string FindBinDirectory()
    {
        var root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException($"PostgreSQL server binaries not found under {root}; run deploy/local/prerequisites.sh.");
    }

    private static InvalidOperationException NotStarted() => new("PostgreSQL has not been started yet.");
}
