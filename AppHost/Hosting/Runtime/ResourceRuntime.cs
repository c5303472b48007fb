namespace Platform.Hosting.Runtime;

/// <summary>The running side of a declared resource: its state, process and endpoints, and the operations on it.</summary>
internal abstract class ResourceRuntime(Resource resource, StatusBoard board)
{
    private readonly TaskCompletionSource firstHealthy = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> connectionString = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Resource Resource { get; } = resource;

    public string Name => Resource.Name;

    public string State { get; private set; } = ResourceStates.Starting;

    public int? Pid { get; private set; }

    public int Restarts { get; private set; }

    /// <summary>Why the resource last failed.</summary>
    public string? Failure { get; private set; }

    public Dictionary<string, string> Endpoints { get; } = new(StringComparer.Ordinal);

    public string? ConnectionString => connectionString.Task.IsCompletedSuccessfully ? connectionString.Task.Result : null;

    /// <summary>Completes when the resource is healthy for the first time; faults if it fails before.</summary>
    public Task FirstHealthy => firstHealthy.Task;

    /// <summary>Completes with the connection string once it is known (servers and databases).</summary>
    public Task<string> ConnectionStringKnown => connectionString.Task;

    protected StatusBoard Board { get; } = board;

    protected virtual string? Parent => null;

    public abstract Task StartAsync(CancellationToken cancellationToken);

    public abstract Task StopAsync();

    /// <summary>Stop and start again (servers keep their port).</summary>
    public abstract Task RestartAsync(CancellationToken cancellationToken);

    /// <summary>Start again after <see cref="StopAsync"/>.</summary>
    public abstract Task ResumeAsync(CancellationToken cancellationToken);

    public virtual Task KillAsync() => throw new InvalidOperationException($"{Resource} cannot be killed; only projects can.");

    public virtual IReadOnlyList<string> LogTail(int lines) => [];

    public Task WaitForStateAsync(string state, CancellationToken cancellationToken) =>
        WaitUntilAsync(s => s.State == state, cancellationToken);

    /// <summary>Returns once the resource's snapshot satisfies the condition.</summary>
    public async Task WaitUntilAsync(Func<ResourceState, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (this)
            {
                next = changed.Task;
            }

            if (condition(Snapshot()))
            {
                return;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    public ResourceState Snapshot()
    {
        lock (this)
        {
            return new ResourceState(Name, Resource.Type, State, Pid, Restarts, new Dictionary<string, string>(Endpoints), ConnectionString, Parent);
        }
    }

    protected void SetConnectionString(string value) => connectionString.TrySetResult(value);

    protected void Set(string state, int? pid, bool countRestart = false, Exception? failure = null)
    {
        TaskCompletionSource pulse;
        lock (this)
        {
            var same = State == state && Pid == pid && !countRestart;
            State = state;
            Pid = pid;
            Restarts += countRestart ? 1 : 0;
            pulse = changed;
            if (same)
            {
                return;
            }

            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        if (state == ResourceStates.Healthy)
        {
            firstHealthy.TrySetResult();
        }
        else if (state == ResourceStates.Failed)
        {
            var error = failure ?? new InvalidOperationException($"{Resource} failed.");
            Failure = error.Message;
            firstHealthy.TrySetException(error);
            connectionString.TrySetException(error);
        }

        OnStateChanged(state);
        pulse.TrySetResult();
        Board.Changed();
    }

    protected virtual void OnStateChanged(string state)
    {
    }
}
