using MergeTrain.Core.Trains;

namespace MergeTrain.Postgres.Dashboard;

/// <summary>A train as the dashboard draws it: its project and the engine's state.</summary>
public sealed record DashboardTrain(long ProjectId, string ProjectPath, TrainState State);
