using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Git.Tests;

/// <summary>Tokens only matter to http(s) remotes: a smart HTTP server on loopback that requires Basic auth.</summary>
public class HttpAuthenticationTests
{
    private TempDirectory _temp = null!;
    private SmartHttpGitServer _http = null!;
    private string _remoteUrl = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory();
        var served = Directory.CreateDirectory(_temp.Combine("served")).FullName;
        GitCli.Run(served, "init", "--bare", "--initial-branch=main", "project.git");
        var remotePath = Path.Combine(served, "project.git");
        GitCli.Run(remotePath, "update-ref", "refs/heads/main", CommitWriter.Commit(remotePath, null, BareRepositoryTests.Files(("README", "hello\n"))));
        _http = new SmartHttpGitServer(served, "test-token-not-a-secret");
        _remoteUrl = _http.UrlFor("project.git");
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _temp.Dispose();
    }

    [Test]
    public void A_wrong_token_is_reported_as_an_authentication_failure_without_the_token()
    {
        using var project = ProjectRepository.Open(new ProjectRepositorySettings(_temp.Path, 42, _remoteUrl) { Token = "wrong-token-value" });

        var error = Should.Throw<GitAuthenticationException>(project.Fetch);

        error.Message.ShouldContain("authentication failed");
        error.Message.ShouldNotContain("wrong-token-value");
        _http.Unauthorized.ShouldBeGreaterThan(0);
    }

    [Test]
    public void The_right_token_fetches()
    {
        using var project = ProjectRepository.Open(new ProjectRepositorySettings(_temp.Path, 42, _remoteUrl) { Token = "test-token-not-a-secret" });

        project.Fetch();

        project.ResolveBranch("main").ShouldNotBeNull();
    }
}
