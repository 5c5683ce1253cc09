using BenchmarkDotNet.Running;
using TreasuryManager.Benchmarks;

// `send-e2e <url> <count>` is the C# half of scripts/bench-e2e.sh; `keeper-e2e <url> <repository> <pools> <rounds> [pushed]`
// the C# half of scripts/bench-keeper.sh; anything else goes to BenchmarkDotNet.
if (args.Length == 3 && args[0] == "send-e2e")
    return await SendEndToEnd.RunAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
if (args.Length is 5 or 6 && args[0] == "keeper-e2e")
{
    static int Count(string name, string text) => int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
        ? n : throw new ArgumentException($"keeper-e2e: {name} '{text}' is not a positive whole number");
    return await KeeperEndToEnd.RunAsync(args[1], args[2], Count("pools", args[3]), Count("rounds", args[4]), args.Length == 6 ? Count("pushed", args[5]) : 1);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
