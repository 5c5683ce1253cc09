using BenchmarkDotNet.Running;
using TreasuryManager.Benchmarks;

// `send-e2e <url> <count>` is the C# half of scripts/bench-e2e.sh; anything else goes to BenchmarkDotNet.
if (args.Length == 3 && args[0] == "send-e2e")
    return await SendEndToEnd.RunAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
