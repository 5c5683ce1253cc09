using CsCheck;
using TreasuryManager.Contracts.Observations;
using TreasuryManager.Contracts.UniswapV3;

namespace TreasuryManager.Contracts.Tests.Observations;

/// <summary>
/// The two observation hints against a brute-force reading of the whole ring, on rings written the way ObservationLib
/// writes them (one slot after the newest each time, growing to cardinalityNext when the newest is the last slot,
/// wrapping): a ManagedPool's hint is the oldest observation at or after the window's start (the slot the rebalance's
/// own observation will take when there is none), a Uniswap v3 manager's the newest at or before it; both are "none"
/// when the ring does not reach back to the start.
/// </summary>
public sealed class ObservationHintPropertyTests
{
    /// <summary>A ring after some writes: each slot's time (null: never written), the newest slot, the cardinality and
    /// the cardinality it grows to.</summary>
    private sealed record Ring(long?[] Times, int Index, int Cardinality, int CardinalityNext)
    {
        /// <summary>A reader of the ring that records each batch it is asked for in <paramref name="batches"/>.</summary>
        public Func<IReadOnlyList<int>, Task<IReadOnlyList<RingSlot>>> Reader(List<IReadOnlyList<int>> batches) => slots =>
        {
            batches.Add(slots);
            return Task.FromResult<IReadOnlyList<RingSlot>>(slots.Select(i => Times[i] is { } t ? new RingSlot(t, true) : new RingSlot(0, false)).ToArray());
        };

        public IEnumerable<(int Slot, long Time)> Written => Times.Select((t, i) => (i, t)).Where(x => x.t is not null).Select(x => (x.i, x.t!.Value));

        public static Ring Write(int startCardinality, int grownCardinality, int writes, int[] gaps)
        {
            var times = new long?[Math.Max(startCardinality, grownCardinality)];
            var (index, cardinality, next, time) = (0, startCardinality, grownCardinality, 1_700_000_000L);
            times[0] = time;
            for (var w = 0; w < writes; w++)
            {
                time += gaps[w % gaps.Length];
                if (next > cardinality && index == cardinality - 1) cardinality = next;
                index = (index + 1) % cardinality;
                times[index] = time;
            }
            return new Ring(times, index, cardinality, next);
        }
    }

    private static Gen<(Ring Ring, long Target)> RingsOf(Gen<int> startCardinality, Gen<int> growth, Gen<int> writes) =>
        from start in startCardinality
        from grow in growth
        from n in writes
        from gaps in Gen.Int[1, 90].Array[1, 8]
        let ring = Ring.Write(start, start + grow, n, gaps)
        let oldest = ring.Written.Min(x => x.Time)
        let newest = ring.Times[ring.Index]!.Value
        let times = ring.Written.Select(w => w.Time).ToArray()
        // half the starts fall on an observation's own time, where "at or before" and "at or after" meet
        from target in Gen.OneOf(Gen.Long[oldest - 40, newest + 40], Gen.Int[0, times.Length - 1].Select(i => times[i]))
        select (ring, target);

    /// <summary>Rings that fit one batch (a vault sizes its ManagedPool's for the TWAP window: 52 slots).</summary>
    private static readonly Gen<(Ring Ring, long Target)> Rings = RingsOf(Gen.Int[1, 12], Gen.Int[0, 12], Gen.Int[0, 60]);

    /// <summary>Rings past one batch (an owner may grow one), searched a batch at a time.</summary>
    private static readonly Gen<(Ring Ring, long Target)> LargeRings = RingsOf(Gen.Int[100, 200], Gen.Int[0, 300], Gen.Int[0, 900]);

    private static int ExpectedManagedPoolHint(Ring ring, long target)
    {
        var written = ring.Written.ToList();
        if (target < written.Min(w => w.Time)) return ManagedPoolObservationHint.None;
        if (written.Where(w => w.Time >= target).ToList() is { Count: > 0 } after) return after.MinBy(w => w.Time).Slot;
        return ManagedPoolObservationHint.NextWrite(ring.Index, ring.Cardinality, ring.CardinalityNext);
    }

    [Fact]
    public void The_managed_pools_hint_is_the_oldest_observation_at_or_after_the_start()
    {
        Rings.Sample(x =>
        {
            var (ring, target) = x;
            var batches = new List<IReadOnlyList<int>>();
            var hint = ManagedPoolObservationHint.FindAsync(ring.Reader(batches), ring.Index, ring.Cardinality, ring.CardinalityNext, target).GetAwaiter().GetResult();
            Assert.Equal(ExpectedManagedPoolHint(ring, target), hint);
            // a ring that fits one batch is read in one
            Assert.Single(batches);
        });
    }

    [Fact]
    public void A_ring_past_one_batch_is_searched_a_batch_at_a_time()
    {
        LargeRings.Sample(x =>
        {
            var (ring, target) = x;
            var batches = new List<IReadOnlyList<int>>();
            var hint = ManagedPoolObservationHint.FindAsync(ring.Reader(batches), ring.Index, ring.Cardinality, ring.CardinalityNext, target).GetAwaiter().GetResult();
            Assert.Equal(ExpectedManagedPoolHint(ring, target), hint);
            Assert.All(batches, b => Assert.InRange(b.Count, 1, ObservationRing.BatchSize));
            Assert.InRange(batches.Count, 1, 3); // the ends, then at most 500 slots narrowed 129-fold twice
        }, iter: 300);
    }

    [Fact]
    public void The_next_write_follows_the_ring_as_it_grows_and_wraps()
    {
        Assert.Equal(1, ManagedPoolObservationHint.NextWrite(0, 1, 52)); // a new pool's ring grows at its first write
        Assert.Equal(0, ManagedPoolObservationHint.NextWrite(0, 1, 1));
        Assert.Equal(51, ManagedPoolObservationHint.NextWrite(50, 52, 52));
        Assert.Equal(0, ManagedPoolObservationHint.NextWrite(51, 52, 52)); // wraps
        Assert.Equal(52, ManagedPoolObservationHint.NextWrite(51, 52, 60)); // grows instead of wrapping
        Assert.Equal(10, ManagedPoolObservationHint.NextWrite(9, 52, 60)); // grows only from the last slot
    }

    [Fact]
    public void The_uniswap_v3_hint_is_the_newest_observation_at_or_before_the_start()
    {
        Rings.Sample(x =>
        {
            var (ring, target) = x;
            var batches = new List<IReadOnlyList<int>>();
            var hint = UniswapV3ObservationHint.FindAsync(ring.Reader(batches), ring.Index, ring.Cardinality, target).GetAwaiter().GetResult();
            var written = ring.Written.ToList();
            Assert.Single(batches);
            var expected = target < written.Min(w => w.Time)
                ? UniswapV3ObservationHint.None
                : written.Where(w => w.Time <= target).MaxBy(w => w.Time).Slot;
            Assert.Equal(expected, hint);
        });
    }

    [Fact]
    public async Task An_empty_or_inconsistent_ring_gives_no_hint()
    {
        static Task<IReadOnlyList<RingSlot>> Unwritten(IReadOnlyList<int> slots) => Task.FromResult<IReadOnlyList<RingSlot>>(slots.Select(_ => new RingSlot(0, false)).ToArray());
        Assert.Equal(ManagedPoolObservationHint.None, await ManagedPoolObservationHint.FindAsync(Unwritten, 0, 1, 1, 100));
        Assert.Equal(ManagedPoolObservationHint.None, await ManagedPoolObservationHint.FindAsync(Unwritten, 0, 0, 0, 100));
        Assert.Equal(ManagedPoolObservationHint.None, await ManagedPoolObservationHint.FindAsync(Unwritten, 3, 2, 2, 100));
        Assert.Equal(UniswapV3ObservationHint.None, await UniswapV3ObservationHint.FindAsync(Unwritten, 0, 0, 100));
    }
}
