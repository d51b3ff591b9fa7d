using Microsoft.Extensions.Configuration;

namespace MergeTrain.Demo;

/// <summary>
/// How the demo runs. From configuration: <c>Demo:Enabled</c>, <c>Demo:Pace</c>, <c>Demo:Seed</c>, <c>Demo:Runners</c>
/// (command line <c>--Demo:Enabled=false</c>, environment <c>Demo__Enabled=false</c>), plus the
/// server's own <c>MergeTrain:DataDirectory</c> and <c>urls</c>.
/// </summary>
public sealed record DemoOptions
{
    /// <summary>The configuration section of the demo's own keys.</summary>
    public const string Section = "Demo";

    /// <summary>Where the server listens when neither <c>--urls</c> nor <c>ASPNETCORE_URLS</c> says.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>False starts the fake GitLab and the server, and plays nothing.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Multiplies every delay of the demo: 1 is the pace a person can follow on the dashboard
    /// (pipelines of 5-20 s, a merge request every 10-20 s); tests use 0.1.
    /// </summary>
    public double Pace { get; init; } = 1;

    /// <summary>
    /// How many pipelines the fake GitLab's runners run at once (<c>Demo:Runners</c>); null, the
    /// default, runs them all. With <c>MergeTrain:Projects:0:WindowFollowsRunners=true</c> it shows
    /// the train staying within the runners.
    /// </summary>
    public int? Runners { get; init; }

    /// <summary>Seeds every random choice, so that a run can be replayed.</summary>
    public int Seed { get; init; } = 7;

    /// <summary>The server's data directory; the demo resets it at every start.</summary>
    public string DataDirectory { get; init; } = ".mergetrain";

    /// <summary>The listening address; null leaves it to the server's configuration.</summary>
    public string? Urls { get; init; }

    /// <summary>Further server arguments (the command line), applied after the demo's defaults.</summary>
    public IReadOnlyList<string> ServerArguments { get; init; } = [];

    /// <summary>Reads the options from the command line and the environment, as the server will.</summary>
    public static DemoOptions From(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var demo = configuration.GetSection(Section);
        var pace = demo.GetValue("Pace", 1.0);
        if (pace is <= 0 or > 100)
        {
            throw new ArgumentException($"{Section}:Pace must be a positive factor (1 = normal, 0.1 = ten times faster), not {pace}.", nameof(args));
        }

        var runners = demo.GetValue<int?>("Runners");
        if (runners is < 1)
        {
            throw new ArgumentException($"{Section}:Runners must be at least 1 (or unset: as many as pipelines), not {runners}.", nameof(args));
        }

        return new DemoOptions
        {
            Runners = runners,
            Enabled = demo.GetValue("Enabled", true),
            Pace = pace,
            Seed = demo.GetValue("Seed", 7),
            DataDirectory = configuration["MergeTrain:DataDirectory"] is { Length: > 0 } directory ? directory : ".mergetrain",
            Urls = configuration["urls"] is { Length: > 0 } urls ? null : DefaultUrls,
            ServerArguments = args,
        };
    }

    /// <summary>A delay of the demo at its pace.</summary>
    public TimeSpan Scaled(TimeSpan delay) => delay * Pace;
}
