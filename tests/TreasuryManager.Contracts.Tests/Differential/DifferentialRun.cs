using System.Diagnostics;
using System.Text;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.JsonRpc;
using Xunit.Abstractions;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>One differential case: the Solidity function's signature and arguments, and the C# mirror's outcome.</summary>
public sealed record DiffCase(string Signature, object?[] Args, Func<Outcome> Mirror, bool SameError = true);

/// <summary>
/// Runs cases on the chain (batched eth_calls) and in C#, compares them bit for bit, and reports every mismatch with
/// the seed and the case so it can be replayed.
/// </summary>
public static class DifferentialRun
{
    public static async Task<int> CompareAsync(RpcClient rpc, Address to, ContractAbi abi, int seed, IReadOnlyList<DiffCase> cases, ITestOutputHelper? output = null, string label = "", string block = "latest")
    {
        ArgumentNullException.ThrowIfNull(cases);
        var clock = Stopwatch.StartNew();
        var chain = await EvmBatch.CallAsync(rpc, to, abi, cases.Select(c => (c.Signature, c.Args)).ToArray(), block);
        var mismatches = new StringBuilder();
        var count = 0;
        var reverted = 0;
        var perFunction = new SortedDictionary<string, (int Ok, int Failed)>(StringComparer.Ordinal);
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var mirror = c.Mirror();
            var name = c.Signature[..c.Signature.IndexOf('(', StringComparison.Ordinal)];
            var (ok, failed) = perFunction.GetValueOrDefault(name);
            perFunction[name] = chain[i].Succeeded ? (ok + 1, failed) : (ok, failed + 1);
            if (!chain[i].Succeeded) reverted++;
            if (!chain[i].Matches(mirror, c.SameError))
            {
                if (++count <= 12)
                    mismatches.AppendLine(System.FormattableString.Invariant(
                        $"  #{i} {c.Signature} args ({string.Join(", ", c.Args.Select(a => a is object?[] arr ? "[" + string.Join(",", arr) + "]" : a?.ToString()))}): Solidity {chain[i]}, C# {mirror}"));
            }
        }

        var summary = string.Join(", ", perFunction.Select(p => System.FormattableString.Invariant($"{p.Key} {p.Value.Ok} ok/{p.Value.Failed} revert")));
        output?.WriteLine(System.FormattableString.Invariant(
            $"{label} seed {seed}: {cases.Count} cases ({reverted} reverting on both sides) in {clock.ElapsedMilliseconds} ms; {summary}"));
        Assert.True(count == 0, System.FormattableString.Invariant(
            $"{label}: {count} of {cases.Count} cases differ between Solidity and C# (seed {seed}; replay with TREASURY_DIFF_SEED={seed}):\n{mismatches}"));
        return cases.Count;
    }
}
