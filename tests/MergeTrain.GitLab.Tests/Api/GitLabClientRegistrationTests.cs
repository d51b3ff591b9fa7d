using MergeTrain.GitLab.Api;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.GitLab.Tests.Api;

[TestFixture]
public sealed class GitLabClientRegistrationTests
{
    [Test]
    public async Task The_registered_client_uses_the_configured_retry_settings()
    {
        await using var server = await FakeGitLabServer.StartAsync();
        server.Enqueue(503, null).Enqueue(503, null).Enqueue(200, GitLabAnswers.Pipeline(551940, "running"));
        var services = new ServiceCollection().AddLogging();
        services.AddGitLabClient(options =>
        {
            options.MaxAttempts = 2;
            options.BaseDelay = TimeSpan.FromMilliseconds(1);
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IGitLabApi>();
        var error = await Should.ThrowAsync<GitLabUnavailableException>(
            () => client.GetPipelineAsync(new GitLabConnection(server.BaseUrl, ClientHarness.Token), 42, 551940, CancellationToken.None));

        client.ShouldBeOfType<GitLabClient>();
        error.StatusCode.ShouldBe(503);
        server.Requests.Count.ShouldBe(2);
    }
}
