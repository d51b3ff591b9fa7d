namespace MergeTrain.Demo;

/// <summary>The demo was pointed at a data directory it must not reset.</summary>
public sealed class DemoDataDirectoryException(string message) : Exception(message);
