using Platform.Hosting.Servers;

namespace Platform.Hosting.Runtime;

/// <summary>A database on a PostgreSQL resource: created when the server is healthy; its state follows the server's afterwards.</summary>
internal sealed class DatabaseRuntime(PostgresDatabaseResource resource, ServerRuntime server, StatusBoard board, LogHub log)
    : ResourceRuntime(resource, board)
{
    private volatile bool created;

    protected override string? Parent => server.Name;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var serverConnectionString = await server.ConnectionStringKnown.WaitAsync(cancellationToken);
        await server.FirstHealthy.WaitAsync(cancellationToken);
        try
        {
            await PostgresServer.CreateDatabaseAsync(serverConnectionString, resource.DatabaseName, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.Info($"{Name}: cannot create database {resource.DatabaseName}: {e.Message}");
            Set(ResourceStates.Failed, null, failure: e);
            throw;
        }

        SetConnectionString(PostgresServer.WithDatabase(serverConnectionString, resource.DatabaseName));
        created = true;
        Set(server.State, null);
    }

    public void FollowParent(string state)
    {
        if (created)
        {
            Set(state, null);
        }
    }

    public override Task StopAsync() => Task.CompletedTask;

    public override Task RestartAsync(CancellationToken cancellationToken) => server.RestartAsync(cancellationToken);

    public override Task ResumeAsync(CancellationToken cancellationToken) => server.ResumeAsync(cancellationToken);
}
