using System.Globalization;
using System.Numerics;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Abi;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Differential;

/// <summary>The result of one call on either side: the output words as integers (bools as 0/1), or the error's
/// name (a custom error's name, "Panic(0x11)" for a panic).</summary>
public sealed record Outcome(IReadOnlyList<BigInteger>? Values, string? Error)
{
    public bool Succeeded => Values is not null;

    public static Outcome Ok(params BigInteger[] values) => new(values, null);

    public static Outcome Fail(string error) => new(null, error);

    /// <summary>Runs the C# side, turning a <see cref="CurveMathException"/> into a failed outcome.</summary>
    public static Outcome Of(Func<BigInteger[]> mirror)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        try { return Ok(mirror()); }
        catch (CurveMathException e) { return Fail(e.Reason); }
    }

    /// <summary>Equal values, or both failed (with the same error when <paramref name="sameError"/>).</summary>
    public bool Matches(Outcome other, bool sameError)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Succeeded != other.Succeeded) return false;
        if (!Succeeded) return !sameError || Error == other.Error;
        return Values!.SequenceEqual(other.Values!);
    }

    public override string ToString() =>
        Succeeded ? "(" + string.Join(", ", Values!.Select(v => v.ToString(CultureInfo.InvariantCulture))) + ")" : "revert " + Error;
}

/// <summary>
/// Many eth_calls in few HTTP round trips: JSON-RPC batches (<see cref="RpcClient.BatchAsync"/>) of calls built
/// from a contract's ABI, each answer decoded to an <see cref="Outcome"/>.
/// </summary>
public static class EvmBatch
{
    public const int BatchSize = 200;

    public static async Task<IReadOnlyList<Outcome>> CallAsync(RpcClient rpc, Address to, ContractAbi abi, IReadOnlyList<(string Signature, object?[] Args)> calls, string block = "latest")
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(abi);
        ArgumentNullException.ThrowIfNull(calls);
        var outcomes = new List<Outcome>(calls.Count);
        var target = to.ToLowerHex();
        for (var start = 0; start < calls.Count; start += BatchSize)
        {
            var chunk = calls.Skip(start).Take(BatchSize).ToArray();
            var requests = chunk.Select(c => new RpcRequest("eth_call",
                new Dictionary<string, string> { ["to"] = target, ["data"] = Hex.Encode(abi.GetFunction(c.Signature).EncodeCall(c.Args)) },
                block)).ToArray();
            var responses = await rpc.BatchAsync(requests);
            for (var i = 0; i < chunk.Length; i++)
                outcomes.Add(Decode(abi, abi.GetFunction(chunk[i].Signature), responses[i]));
        }

        return outcomes;
    }

    private static Outcome Decode(ContractAbi abi, AbiFunction function, RpcResponse response)
    {
        if (response.Error is ExecutionRevertedException reverted)
        {
            var reason = RevertDecoder.Decode(reverted.RevertData, abi);
            return Outcome.Fail(reason.Kind switch
            {
                RevertKind.Panic => $"Panic(0x{reason.PanicCode!.Value.ToString("x2", CultureInfo.InvariantCulture)})",
                RevertKind.Custom => reason.ErrorName!,
                _ => reason.Message,
            });
        }

        if (response.Error is not null) throw response.Error;
        var values = function.DecodeOutput(Hex.Decode(response.Result!.Value.GetString()!));
        return Outcome.Ok(values.SelectMany(v => Flatten(v, function)).ToArray());
    }

    /// <summary>Output values as integers; arrays flattened in order (their lengths are not included).</summary>
    private static IEnumerable<BigInteger> Flatten(object? v, AbiFunction function) => v switch
    {
        BigInteger b => [b],
        bool flag => [flag ? BigInteger.One : BigInteger.Zero],
        System.Collections.IEnumerable items and not string => items.Cast<object?>().SelectMany(i => Flatten(i, function)),
        _ => throw new InvalidOperationException($"unexpected output {v} of {function.Signature}"),
    };
}
