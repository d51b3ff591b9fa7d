using System.Net.Http.Json;
using System.Text.Json;
using MergeTrain.Testing;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Server.Tests;

public class OpenApiTests
{
    [Test]
    public async Task The_OpenAPI_document_describes_the_merge_trains_API()
    {
        await using var server = await RunningServer.StartAsync($"--MergeTrain:ConnectionString={await TestPostgres.CreateDatabaseAsync()}");

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        paths.TryGetProperty("/api/v4/projects/{id}/merge_trains", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/v4/projects/{id}/merge_trains/merge_requests/{iid}", out var car).ShouldBeTrue();
        car.TryGetProperty("post", out _).ShouldBeTrue();
        car.TryGetProperty("delete", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/v4/projects/{id}/merge_trains/{targetBranch}/pause", out _).ShouldBeTrue();
        paths.TryGetProperty("/webhooks/gitlab", out _).ShouldBeTrue();
    }
}
