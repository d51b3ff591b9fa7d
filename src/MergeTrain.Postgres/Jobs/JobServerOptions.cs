namespace MergeTrain.Postgres.Jobs;

/// <summary>How a job server runs: its worker, its heartbeat, and the leader's maintenance.</summary>
public sealed record JobServerOptions
{
    /// <summary>The queue this server's worker takes jobs from.</summary>
    public string Queue { get; init; } = JobStore.DefaultQueue;

    /// <summary>How many jobs run at once in this server.</summary>
    public int Concurrency { get; init; } = 10;

    /// <summary>How often the worker looks for jobs when no NOTIFY has woken it.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether LISTEN/NOTIFY wakes the worker; off leaves polling alone (benchmarks compare the two).</summary>
    public bool ListenForNotifications { get; init; } = true;

    /// <summary>How often this server writes its heartbeat.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A server silent for this long is dead: the leader rescues its running jobs.</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a leader's lease lasts without renewal.</summary>
    public TimeSpan LeaderLease { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the leader (or a candidate) runs maintenance: elect, promote, rescue, prune.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Completed jobs are kept this long for the dashboard.</summary>
    public TimeSpan KeepCompleted { get; init; } = TimeSpan.FromDays(1);

    /// <summary>On shutdown, running jobs get this long to finish before they are cancelled.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(20);
}
