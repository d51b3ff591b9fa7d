using MergeTrain.Testing;
using NUnit.Framework;

namespace MergeTrain.Application.Tests;

/// <summary>Stops the shared test cluster when every test of this assembly has run.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task StopPostgres() => await TestPostgres.StopAsync();
}
