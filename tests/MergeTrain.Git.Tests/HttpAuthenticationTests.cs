using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

/// <summary>Tokens only matter to http(s) remotes: a smart HTTP server on loopback that requires Basic auth.</summary>
public class HttpAuthenticationTests
{
    private const string Token = "test-token-not-a-secret";
    private TempDirectory _temp = null!;
    private ServedRemote _remote = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        _remote = ServedRemote.Start(_temp, "http", BareRepositoryTests.Files(("README", "hello\n")), Token);
    }

    [TearDown]
    public void TearDown()
    {
        _remote.Dispose();
        _temp.Dispose();
    }

    [Test]
    public void A_wrong_token_is_reported_as_an_authentication_failure_without_the_token()
    {
        using var project = ProjectRepository.Open(new ProjectRepositorySettings(_temp.Path, 42, _remote.Url) { Token = "wrong-token-value" });

        var error = Should.Throw<GitAuthenticationException>(project.Fetch);

        error.Message.ShouldContain("authentication failed");
        error.Message.ShouldNotContain("wrong-token-value");
        _remote.Http!.Unauthorized.ShouldBeGreaterThan(0);
    }

    [Test]
    public void The_right_token_fetches()
    {
        using var project = ProjectRepository.Open(new ProjectRepositorySettings(_temp.Path, 42, _remote.Url) { Token = Token });

        project.Fetch();

        project.ResolveBranch("main").ShouldNotBeNull();
    }
}
