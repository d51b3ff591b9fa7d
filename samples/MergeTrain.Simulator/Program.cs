Console.WriteLine("simulator: not yet written");
