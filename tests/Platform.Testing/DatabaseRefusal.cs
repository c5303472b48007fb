namespace Platform.Testing;

/// <summary>
/// Makes a service's database refuse some writes to one table, as a broken row or a violated constraint would, until
/// disposed: a trigger raising an error for the rows <c>when</c> picks. Used to show that a job logs and passes over
/// what fails and goes on with the rest.
/// </summary>
public sealed class DatabaseRefusal : IAsyncDisposable
{
    private readonly Func<string, Task> execute;
    private readonly string name;
    private readonly string table;

    private DatabaseRefusal(Func<string, Task> execute, string name, string table) => (this.execute, this.name, this.table) = (execute, name, table);

    /// <param name="execute">Runs a SQL text on the service's database.</param>
    /// <param name="table">The table whose writes are refused.</param>
    /// <param name="timing">The trigger's event, e.g. <c>BEFORE INSERT</c> or <c>BEFORE UPDATE</c>.</param>
    /// <param name="when">The trigger's condition on <c>NEW</c> or <c>OLD</c>, built from ids only (DDL takes no parameters).</param>
    public static async Task<DatabaseRefusal> CreateAsync(Func<string, Task> execute, string table, string timing, string when)
    {
        var name = "refuse_" + Guid.NewGuid().ToString("N");
        await execute($"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
            CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}();
            """);
        return new DatabaseRefusal(execute, name, table);
    }

    public async ValueTask DisposeAsync() => await execute($"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();");
}
