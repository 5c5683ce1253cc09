using System.Globalization;
using System.Text.Json;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.GasReport;

/// <summary>One step of a transaction's struct-log trace (debug_traceTransaction, default tracer).</summary>
/// <param name="Depth">Call depth as the node reports it (the transaction's own frame is the first step's depth).</param>
/// <param name="Op">The opcode's name.</param>
/// <param name="Gas">Gas left before the step.</param>
/// <param name="GasCost">The step's cost as the node reports it (for a call, nodes include the gas it forwards: only
/// the last step of a frame uses it; every other step is costed by the gas left at the frame's next step).</param>
/// <param name="CallTarget">For CALL, CALLCODE, DELEGATECALL and STATICCALL: the address called (lower-case 0x hex).</param>
public sealed record TraceStep(int Depth, string Op, long Gas, long GasCost, string? CallTarget = null);

/// <summary>One contract's own share of a transaction's gas (its callees' steps are theirs).</summary>
/// <param name="Contract">Its name (or address when unnamed).</param>
/// <param name="ColdSloads">SLOADs of a slot the transaction had not touched (2,100 each since EIP-2929).</param>
/// <param name="WarmSloads">SLOADs of a slot already touched (100 each).</param>
/// <param name="SloadGas">Gas of all its SLOADs.</param>
/// <param name="Sstores">SSTOREs.</param>
/// <param name="SstoreGas">Gas of its SSTOREs (before any refund).</param>
/// <param name="CallGas">Its calls' own cost: account access (2,600 cold), memory, value transfer; not the callee's steps.</param>
/// <param name="LogGas">Its events.</param>
/// <param name="OtherGas">Everything else: computation and memory.</param>
public sealed record ContractGas(string Contract, int ColdSloads, int WarmSloads, long SloadGas, int Sstores, long SstoreGas, long CallGas, long LogGas, long OtherGas)
{
    public long Total => SloadGas + SstoreGas + CallGas + LogGas + OtherGas;
}

/// <summary>
/// Where one transaction's gas went: the intrinsic 21,000, its calldata, each contract's storage reads and writes, calls,
/// events and computation, and the refund. Sums to the receipt's gasUsed exactly (<see cref="Attribute"/> refuses a
/// trace that does not).
/// </summary>
public sealed record GasBreakdown(long GasUsed, long Intrinsic, long Calldata, long Refund, IReadOnlyList<ContractGas> Contracts)
{
    /// <summary>The base cost of a transaction.</summary>
    public const long TransactionBase = 21_000;

    /// <summary>A cold SLOAD since EIP-2929; a cheaper SLOAD read a warm slot.</summary>
    public const long ColdSloadCost = 2_100;

    public int ColdSloads => Contracts.Sum(c => c.ColdSloads);
    public int Sstores => Contracts.Sum(c => c.Sstores);

    /// <summary>
    /// Attributes each step's own cost to the contract whose frame ran it. A step's cost is the drop in gas to the next
    /// step of its frame, less what the steps in between (a call's callee) used; a frame's last step uses the node's
    /// gasCost. Intrinsic gas is the gas limit less the first step's gas; calldata is 4 per zero byte and 16 per other
    /// byte of <paramref name="input"/>; the refund is what the steps and intrinsic gas add up to above gasUsed.
    /// </summary>
    /// <param name="to">The transaction's recipient (the first frame's contract).</param>
    /// <param name="name">A contract's name from its lower-case 0x address (null: the address is shown).</param>
    /// <exception cref="InvalidDataException">The trace is empty, a call step names no target, or the figures do not add
    /// up to gasUsed with a refund of at most a fifth of the gas (EIP-3529).</exception>
    public static GasBreakdown Attribute(IReadOnlyList<TraceStep> steps, long gasLimit, long gasUsed, ReadOnlySpan<byte> input, string to, Func<string, string?> name)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(name);
        if (steps.Count == 0) throw new InvalidDataException("the trace has no steps: the transaction ran no code, or the node records none (anvil keeps struct logs only when started with --steps-tracing)");
        var n = steps.Count;
        var next = new int[n];
        Array.Fill(next, -1);
        var pending = new Dictionary<int, int>(); // depth -> the last step seen at that depth, whose next is not known yet
        for (var k = 0; k < n; k++)
        {
            var depth = steps[k].Depth;
            foreach (var deeper in pending.Keys.Where(dd => dd > depth).ToList()) pending.Remove(deeper); // those frames ended
            if (pending.TryGetValue(depth, out var previous)) next[previous] = k;
            pending[depth] = k;
        }
        // own cost of each step, from the last: suffix[k] = Σ own cost of steps k..n−1
        var own = new long[n];
        var suffix = new long[n + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            own[i] = next[i] < 0 ? steps[i].GasCost : steps[i].Gas - steps[next[i]].Gas - (suffix[i + 1] - suffix[next[i]]);
            suffix[i] = suffix[i + 1] + own[i];
        }
        // each frame's contract: the transaction's recipient, then each call's target
        var frameContract = new Dictionary<int, string> { [steps[0].Depth] = to.ToLowerInvariant() };
        var totals = new Dictionary<string, long[]>(); // contract -> cold, warm, sload gas, sstores, sstore gas, call, log, other
        var order = new List<string>();
        for (var i = 0; i < n; i++)
        {
            var s = steps[i];
            if (!frameContract.TryGetValue(s.Depth, out var contract))
                throw new InvalidDataException($"step {i} ({s.Op}) runs at depth {s.Depth} that no call entered");
            if (!totals.TryGetValue(contract, out var t)) { totals[contract] = t = new long[8]; order.Add(contract); }
            switch (s.Op)
            {
                case "SLOAD":
                    t[own[i] >= ColdSloadCost ? 0 : 1]++;
                    t[2] += own[i];
                    break;
                case "SSTORE":
                    t[3]++;
                    t[4] += own[i];
                    break;
                case "CALL" or "CALLCODE" or "DELEGATECALL" or "STATICCALL":
                    t[5] += own[i];
                    if (i + 1 < n && steps[i + 1].Depth == s.Depth + 1)
                        frameContract[s.Depth + 1] = s.CallTarget?.ToLowerInvariant() ?? throw new InvalidDataException($"step {i} ({s.Op}) names no target address");
                    break;
                case "LOG0" or "LOG1" or "LOG2" or "LOG3" or "LOG4":
                    t[6] += own[i];
                    break;
                default:
                    t[7] += own[i];
                    break;
            }
        }
        var intrinsic = gasLimit - steps[0].Gas;
        long calldata = 0;
        foreach (var b in input) calldata += b == 0 ? 4 : 16;
        var refund = intrinsic + suffix[0] - gasUsed;
        if (refund < 0 || refund > (intrinsic + suffix[0]) / 5)
            throw new InvalidDataException($"the trace does not add up: intrinsic {intrinsic:N0} + steps {suffix[0]:N0} against gasUsed {gasUsed:N0} leaves a refund of {refund:N0}");
        var contracts = order.Select(c =>
        {
            var t = totals[c];
            return new ContractGas(name(c) ?? c, (int)t[0], (int)t[1], t[2], (int)t[3], t[4], t[5], t[6], t[7]);
        }).ToList();
        return new GasBreakdown(gasUsed, intrinsic, calldata, refund, contracts);
    }

    /// <summary>
    /// Traces <paramref name="transactionHash"/> (debug_traceTransaction, the default struct-log tracer with the stack,
    /// without memory and storage) and attributes its gas (<see cref="Attribute"/>).
    /// </summary>
    public static async Task<GasBreakdown> TraceAsync(RpcClient rpc, string transactionHash, Func<string, string?> name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        var tx = await rpc.CallAsync("eth_getTransactionByHash", [transactionHash], ct);
        var receipt = await rpc.CallAsync("eth_getTransactionReceipt", [transactionHash], ct);
        if (tx.ValueKind != JsonValueKind.Object || receipt.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"transaction {transactionHash} is not known to the node");
        // both spellings of "no memory": Hardhat reads disableMemory, geth-style tracers enableMemory
        var options = new Dictionary<string, object> { ["disableMemory"] = true, ["disableStorage"] = true, ["disableStack"] = false, ["enableMemory"] = false };
        var trace = await rpc.CallAsync("debug_traceTransaction", [transactionHash, options], ct);
        var steps = new List<TraceStep>();
        foreach (var log in trace.GetProperty("structLogs").EnumerateArray())
        {
            var op = log.GetProperty("op").GetString() ?? "";
            string? target = null;
            if (op is "CALL" or "CALLCODE" or "DELEGATECALL" or "STATICCALL" && log.TryGetProperty("stack", out var stack) && stack.GetArrayLength() >= 2)
                target = AddressOfWord(stack[stack.GetArrayLength() - 2].GetString() ?? "");
            steps.Add(new TraceStep(log.GetProperty("depth").GetInt32(), op, Number(log.GetProperty("gas")), Number(log.GetProperty("gasCost")), target));
        }
        var input = Convert.FromHexString(Hex(tx.GetProperty("input").GetString() ?? "0x"));
        return Attribute(steps, Number(tx.GetProperty("gas")), Number(receipt.GetProperty("gasUsed")), input, tx.GetProperty("to").GetString() ?? "", name);
    }

    /// <summary>The address in the low 20 bytes of a stack word (hex, with or without 0x, any length).</summary>
    public static string AddressOfWord(string word)
    {
        var hex = Hex(word).TrimStart('0').PadLeft(40, '0');
        return "0x" + hex[^40..].ToLowerInvariant();
    }

    private static string Hex(string s) => s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s;

    /// <summary>A JSON number, or a 0x hex quantity as nodes send them.</summary>
    private static long Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? e.GetInt64() : long.Parse(Hex(e.GetString() ?? ""), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
