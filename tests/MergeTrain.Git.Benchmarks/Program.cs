Console.WriteLine("git benchmarks: not yet written");
