using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Demo.Tests;

/// <summary>The demo's own settings, read from the command line as <c>dotnet run --project samples/MergeTrain.Demo</c> reads them.</summary>
public class DemoOptionsTests
{
    [Test]
    public void Runners_are_read_from_the_command_line_left_unset_by_default_and_refused_below_one()
    {
        DemoOptions.From(["--Demo:Runners=2", "--MergeTrain:Projects:0:WindowFollowsRunners=true"]).ShouldSatisfyAllConditions(
            options => options.Runners.ShouldBe(2),
            options => options.ServerArguments.ShouldContain("--MergeTrain:Projects:0:WindowFollowsRunners=true", "the server gets every argument"));
        DemoOptions.From([]).Runners.ShouldBeNull();
        Should.Throw<ArgumentException>(() => DemoOptions.From(["--Demo:Runners=0"])).Message.ShouldStartWith("Demo:Runners must be at least 1");
    }
}
