using System.Numerics;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Encoding;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.Observations;

/// <summary>One slot of an observation ring as the hint searches read it: its block time and whether it was written.</summary>
/// <param name="Time">The observation's block time (unix seconds).</param>
/// <param name="Initialized">Whether the slot holds an observation.</param>
public readonly record struct RingSlot(long Time, bool Initialized);

/// <summary>
/// A time's place in an observation ring (Uniswap v3's and ManagedPool's share the layout: slot <c>index</c> is the
/// newest, the slot after it the oldest once the ring has wrapped, slot 0 before that). The slots are read in batches
/// of up to <see cref="BatchSize"/>: a ring that small (a vault's ring for a 600 s window has 52) in one JSON-RPC batch,
/// a larger one by a search that narrows the bracket <see cref="BatchSize"/>-fold per batch. The two hints built on it
/// differ only in which neighbour they name (<see cref="UniswapV3.UniswapV3ObservationHint"/>: the newest at or
/// before; <see cref="ManagedPoolObservationHint"/>: the oldest at or after).
/// </summary>
public static class ObservationRing
{
    /// <summary>The most slots read in one batch.</summary>
    public const int BatchSize = 128;

    /// <summary>Where a time falls in the ring.</summary>
    public enum Place
    {
        /// <summary>The ring holds no observation, or <c>index</c> and <c>cardinality</c> do not describe one.</summary>
        Empty,
        /// <summary>Before the oldest observation: the ring does not reach back to it.</summary>
        BeforeOldest,
        /// <summary>From the oldest observation's time to before the newest's: <see cref="LocateAsync"/> names the slots around it.</summary>
        Within,
        /// <summary>At or after the newest observation's time.</summary>
        AtOrAfterNewest,
    }

    /// <summary>
    /// Where <paramref name="target"/> falls in the ring, and when <see cref="Place.Within"/> the slots around it:
    /// <c>AtOrBefore</c> the newest slot whose time is at or before it (and that slot) and <c>After</c> the ring's next
    /// slot after that one (whose time is after the target). For <see cref="Place.AtOrAfterNewest"/> both are
    /// <paramref name="index"/>.
    /// </summary>
    /// <param name="read">Reads the given slots, in one batch, answering in their order.</param>
    /// <param name="index">The newest slot (the pool's observationIndex).</param>
    /// <param name="cardinality">The ring's populated size (the pool's observationCardinality).</param>
    /// <param name="target">The time sought (unix seconds).</param>
    public static async Task<(Place Place, int AtOrBefore, RingSlot AtOrBeforeSlot, int After)> LocateAsync(
        Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> read, int index, int cardinality, long target)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (cardinality <= 0 || index < 0 || index >= cardinality) return (Place.Empty, -1, default, -1);
        var known = new Dictionary<int, RingSlot>();
        async Task ReadAsync(IEnumerable<int> slots)
        {
            var wanted = slots.Distinct().Where(s => !known.ContainsKey(s)).ToArray();
            if (wanted.Length == 0) return;
            var got = await read(wanted).ConfigureAwait(false);
            if (got.Count != wanted.Length) throw new InvalidOperationException($"asked for {wanted.Length} observations, read {got.Count}");
            for (var i = 0; i < wanted.Length; i++) known[wanted[i]] = got[i];
        }

        // the whole ring when it fits one batch; else the newest, the slot after it and slot 0 (the oldest is one of those)
        await ReadAsync(cardinality <= BatchSize ? Enumerable.Range(0, cardinality) : [index, (index + 1) % cardinality, 0]).ConfigureAwait(false);
        var newest = known[index];
        if (!newest.Initialized) return (Place.Empty, -1, default, -1);
        if (target >= newest.Time) return (Place.AtOrAfterNewest, index, newest, index);
        // the oldest: the slot after the newest, or slot 0 while the ring has not wrapped since it grew
        var oldestIndex = (index + 1) % cardinality;
        if (!known[oldestIndex].Initialized) oldestIndex = 0;
        var oldest = known[oldestIndex];
        if (!oldest.Initialized || target < oldest.Time) return (Place.BeforeOldest, -1, default, -1);

        // chronological positions 0 (oldest, <= target) .. count - 1 (newest, > target): the last at or before the target
        var count = oldestIndex == 0 ? index + 1 : cardinality;
        int Slot(int position) => (oldestIndex + position) % cardinality;
        var (lo, hi) = (0, count - 1);
        while (hi - lo > 1)
        {
            var between = hi - lo - 1;
            var positions = between <= BatchSize
                ? Enumerable.Range(lo + 1, between).ToArray()
                : Enumerable.Range(1, BatchSize).Select(k => lo + (int)((long)k * (hi - lo) / (BatchSize + 1))).ToArray();
            await ReadAsync(positions.Select(Slot)).ConfigureAwait(false);
            foreach (var p in positions)
            {
                var o = known[Slot(p)];
                if (o.Initialized && o.Time <= target) lo = p;
                else
                {
                    hi = p;
                    break;
                }
            }
        }
        return (Place.Within, Slot(lo), known[Slot(lo)], Slot(lo + 1));
    }

    /// <summary>
    /// A reader of <paramref name="pool"/>'s ring for <see cref="LocateAsync"/>: each call one JSON-RPC batch of
    /// <c>observations(i)</c> eth_calls at <paramref name="block"/>, <paramref name="encode"/> and <paramref name="decode"/>
    /// the pool's binding's.
    /// </summary>
    public static Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> BatchReader(RpcClient rpc, Address pool,
        Func<BigInteger, byte[]> encode, Func<byte[], RingSlot> decode, BlockTag block, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        return async slots =>
        {
            var batch = new RpcBatch();
            var items = slots.Select(i => batch.Add(new RpcRequest("eth_call", new CallRequest { To = pool, Data = encode(i) }.ToJson(), block.Value),
                r => decode(Hex.Decode(r.GetResult().GetString()!, "observations result")))).ToArray();
            var responses = await batch.SendAsync(rpc, ct).ConfigureAwait(false);
            return items.Select(item => item.Read(responses)).ToArray();
        };
    }
}
