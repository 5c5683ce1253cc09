using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Contracts.UniswapV3;
using TreasuryManager.Ethereum.JsonRpc;
using TreasuryManager.Testing;
using E = TreasuryManager.Contracts.Bindings.UniswapV3PositionManager.Errors;

namespace TreasuryManager.Contracts.Tests.UniswapV3;

/// <summary>
/// The manager's TWAP from direct reads and the keeper's observation hint (RangeTarget.observationHint) against Uniswap's
/// own observe([twapWindow, 0]) on the deployed pool: on a busy ring (a swap every few seconds to a few minutes, the price
/// moving ±0.8% around the oracle), the mean tick the rebalance emits equals observe's, floored, at every window start
/// tried — before, at and between observations, and after the newest — with the hint, with a hint up to 8 observations
/// early (the manager walks forward), and without it. A hint after the window's start, more than 8 observations before
/// it, uninitialized or outside the ring is refused with InvalidObservationHint, naming it, and changes nothing.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class UniswapV3ObservationHintTests(LocalNodeFixture node) : UniswapV3Test(node)
{
    private static readonly long[] Gaps = [37, 61, 13, 90, 45, 120, 7, 75, 33, 52, 1, 64];
    private static readonly decimal[] Factors = [1.008m, 0.994m, 1.003m, 0.992m, 1.006m, 0.997m, 1.001m, 0.993m, 1.007m, 0.996m, 1.002m, 0.999m];

    /// <summary>Swaps at the <see cref="Gaps"/> (one observation each), then a fresh oracle round; the swaps' block times.</summary>
    private async Task<List<long>> BusyRingAsync()
    {
        await S.ReadyAsync();
        var times = new List<long>();
        for (var i = 0; i < Gaps.Length; i++)
        {
            await D.IncreaseTimeAsync(Gaps[i]);
            await S.SwapToAsync(D.SqrtPriceX96(UniswapV3Security.Price * Factors[i]));
            times.Add(await D.LatestTimestampAsync());
        }
        await D.Oracle.UpdateAsync(D.Reporter, D.Settings.OraclePrice, D.Settings.OracleVolatility);
        return times;
    }

    private static int Floor(BigInteger delta, long window)
    {
        var q = BigInteger.DivRem(delta, window, out var r);
        if (delta.Sign < 0 && !r.IsZero) q--;
        return (int)q;
    }

    /// <summary>Rebalances in a block at <paramref name="time"/> with <paramref name="hint"/> (the keeper's when null) and
    /// returns the emitted mean tick and observe's over the same window at that block; the state is reverted after.</summary>
    private async Task<(int Manager, int Observe, int Hint)> TwapAtAsync(long time, int? hint)
    {
        var snapshot = await Node.SnapshotAsync();
        try
        {
            var window = (long)S.V3.Policy.Params.TwapWindow;
            await D.SetNextBlockTimestampAsync(time - await D.LatestTimestampAsync());
            var h = hint ?? await S.V3.ObservationHintAsync(time);
            var receipt = await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, UniswapV3PositionDeployment.Centred(UniswapV3Security.CentreTick, 1020, h));
            Assert.Equal(time, await D.LatestTimestampAsync());
            var e = Assert.Single(UniswapV3PositionManager.RebalancedEvents(receipt));
            var observed = await S.Pool.ObserveAsync([window, BigInteger.Zero], BlockTag.Number(receipt.Receipt.BlockNumber));
            return ((int)e.TwapTick, Floor(observed.TickCumulatives[1] - observed.TickCumulatives[0], window), h);
        }
        finally
        {
            await Node.RevertAsync(snapshot);
            await S.ResynchroniseNoncesAsync();
        }
    }

    [Fact]
    public async Task The_hinted_TWAP_equals_the_pools_observe_at_every_window_start()
    {
        var times = await BusyRingAsync();
        var window = (long)S.V3.Policy.Params.TwapWindow;
        var last = await D.LatestTimestampAsync();
        // window starts: on each observation, one second either side of it, between them, and past the newest
        var starts = new SortedSet<long>();
        foreach (var t in times)
            foreach (var d in new long[] { -1, 0, 1, 5 })
                starts.Add(t + d);
        starts.Add(times[^1] + 30);
        starts.Add(last + 1 - window);
        var checkedCount = 0;
        var hinted = 0;
        foreach (var start in starts)
        {
            var time = start + window;
            if (time <= last) continue; // a block must be later than the last one
            var (manager, observe, hint) = await TwapAtAsync(time, null);
            Assert.True(observe == manager, $"window start {start} (block time {time}, hint {hint}): the manager's mean tick {manager}, observe's {observe}");
            if (start < times[^1]) hinted++;
            checkedCount++;
        }
        Assert.True(checkedCount >= 30, $"{checkedCount} window starts checked");
        Assert.True(hinted >= 25, $"{hinted} window starts before the newest observation (a hinted read)");
        // a hint up to 8 observations before the start (a transaction landing later than planned): the manager walks forward
        var cardinality = (int)(await S.Pool.Slot0Async()).ObservationCardinality;
        foreach (var back in new[] { 1, 4, 8 })
        {
            var time = times[9] + 3 + window;
            var keeper = await S.V3.ObservationHintAsync(time);
            var (manager, observe, _) = await TwapAtAsync(time, (keeper - back + cardinality) % cardinality);
            Assert.True(observe == manager, $"a hint {back} observations early: the manager's mean tick {manager}, observe's {observe}");
        }
        // without a hint the manager calls observe: the same
        foreach (var start in new[] { times[3] + 2, times[7], times[^1] + 30 })
        {
            var (manager, observe, _) = await TwapAtAsync(start + window, UniswapV3ObservationHint.None);
            Assert.Equal(observe, manager);
        }
    }

    [Fact]
    public async Task A_hint_after_the_window_start_or_too_far_before_it_is_refused_and_changes_nothing()
    {
        var times = await BusyRingAsync();
        var window = (long)S.V3.Policy.Params.TwapWindow;
        var slot0 = await S.Pool.Slot0Async();
        // the window starts 2 s after the 11th swap, 64 s before the 12th: the hint is the 11th swap's slot (each refused
        // attempt below mines a block a second later, which keeps the start inside that gap)
        var time = times[10] + 2 + window;
        await D.SetNextBlockTimestampAsync(time - await D.LatestTimestampAsync());
        var good = await S.V3.ObservationHintAsync(time);
        var cardinality = (int)slot0.ObservationCardinality;
        var wrong = new[]
        {
            (good + 1) % cardinality, // after the start
            (good + cardinality - 9) % cardinality, // the 2nd swap's: 9 observations before the start, one more than the walk takes
            (int)slot0.ObservationIndex, // the newest
            cardinality - 1 > (int)slot0.ObservationIndex ? cardinality - 1 : good + 2, // uninitialized (the ring grew) or after the start
            cardinality, // outside the ring
            65534,
        };
        foreach (var hint in wrong)
        {
            await D.SetNextBlockTimestampAsync(time - await D.LatestTimestampAsync());
            var reason = await S.AssertRebalanceRejectedAsync(UniswapV3PositionDeployment.Centred(UniswapV3Security.CentreTick, 1020, hint), E.InvalidObservationHint);
            Assert.Equal(new BigInteger(hint), reason.Arg("hint"));
            Assert.Equal(new BigInteger(time - window), reason.Arg("target"));
            time += 1; // AssertRebalanceRejectedAsync mined one block (the reverted transaction): the next is a second later
        }
        // the good hint, for the block it lands in, passes
        await D.SetNextBlockTimestampAsync(time - await D.LatestTimestampAsync());
        await S.Manager.RebalanceAsync(D.Keeper, S.Pool.Address, UniswapV3PositionDeployment.Centred(UniswapV3Security.CentreTick, 1020, await S.V3.ObservationHintAsync(time)));
    }
}
