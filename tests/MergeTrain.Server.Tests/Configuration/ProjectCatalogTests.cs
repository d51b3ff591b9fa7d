using MergeTrain.Application.Configuration;
using MergeTrain.Server.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests.Configuration;

/// <summary>The project settings of issue 12's later green and broken base, bound from configuration as the service binds them.</summary>
public class ProjectCatalogTests
{
    [Test]
    public void PendingFailureDepth_and_DiagnoseBrokenBase_are_off_unless_configured()
    {
        var settings = Catalog().Find(42)!.Settings;

        settings.PendingFailureDepth.ShouldBe(0);
        settings.DiagnoseBrokenBase.ShouldBeFalse();
    }

    [Test]
    public void PendingFailureDepth_and_DiagnoseBrokenBase_reach_the_train_settings()
    {
        var settings = Catalog(("PendingFailureDepth", "2"), ("DiagnoseBrokenBase", "true")).Find(42)!.Settings;

        settings.PendingFailureDepth.ShouldBe(2);
        settings.DiagnoseBrokenBase.ShouldBeTrue();
    }

    [TestCase("PendingFailureDepth", "-1")]
    [TestCase("PendingFailureDepth", "deep")]
    [TestCase("DiagnoseBrokenBase", "sometimes")]
    public void A_wrong_value_stops_start_up_with_a_message_naming_the_key(string name, string value)
    {
        var error = Should.Throw<InvalidOperationException>(() => Catalog((name, value)));

        error.Message.ShouldContain($"MergeTrain:Projects:0:{name}");
    }

    private static ProjectCatalog Catalog(params (string Name, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["MergeTrain:Projects:0:Id"] = "42",
            ["MergeTrain:Projects:0:Path"] = "acme/widgets",
            ["MergeTrain:Projects:0:GitLabUrl"] = "https://gitlab.example.com",
            ["MergeTrain:Projects:0:GitLabToken"] = "token",
            ["MergeTrain:Projects:0:WebhookSecret"] = "secret",
            ["MergeTrain:Projects:0:RepositoryUrl"] = "/srv/widgets.git",
        };
        foreach (var (name, value) in settings)
        {
            values[$"MergeTrain:Projects:0:{name}"] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection();
        collection.AddMergeTrainOptions(configuration);
        using var services = collection.BuildServiceProvider();
        return new ProjectCatalog(services.GetRequiredService<IOptions<MergeTrainOptions>>());
    }
}
