using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Fleet;
using TreasuryManager.Strategy.Inputs;

namespace TreasuryManager.Keeper.Tests;

public sealed class HeldPoolsTests
{
    private static Address Pool(int i) => Address.Parse($"0x{i + 1:x40}");

    private static PoolObservation Observed(int pool, params long[] swapBlocks) =>
        new(new PoolIdentity(Pool(pool), $"pool-{pool}", Pool(100), Pool(101), 18, 6), null, null, null, null, null,
            swapBlocks.Select(b => new SwapSeen(b, true, 1, 1, 1)).ToArray(), null);

    private static ChainObservation Observation(long block, int roundTrips, int requests, params PoolObservation[] pools) =>
        new(block, block * 12, 1, 1, pools, roundTrips) { Requests = requests };

    [Fact]
    public void A_refresh_names_the_pools_taken_and_the_pools_given_up()
    {
        var change = HeldPools.Change(new HashSet<Address> { Pool(0), Pool(1), Pool(2) }, new HashSet<Address> { Pool(1), Pool(2), Pool(3) });
        Assert.Equal([Pool(3)], change.Taken);
        Assert.Equal([Pool(0)], change.GivenUp);
        var same = HeldPools.Change(new HashSet<Address> { Pool(1) }, new HashSet<Address> { Pool(1) });
        Assert.Empty(same.Taken);
        Assert.Empty(same.GivenUp);
    }

    [Fact]
    public void The_second_read_after_a_take_keeps_the_swaps_the_first_read_consumed_and_drops_the_pools_given_up()
    {
        // first read: the pools held before the refresh (0 and 1), whose swaps up to block 10 it consumed
        var first = Observation(10, 1, 9, Observed(0, 9, 10), Observed(1, 10));
        // the refresh gave up pool 1 and took pool 2; the second read (block 11) has the swaps after the first's
        var second = Observation(11, 1, 9, Observed(0, 11), Observed(2, 11));
        var merged = HeldPools.Merge(first, second);
        Assert.Equal(11, merged.BlockNumber);
        Assert.Equal([Pool(0), Pool(2)], merged.Pools.Select(p => p.Pool));
        Assert.Equal([9L, 10, 11], merged.Pools[0].Swaps.Select(s => s.BlockNumber)); // in order, none lost
        Assert.Equal([11L], merged.Pools[1].Swaps.Select(s => s.BlockNumber));
        Assert.Equal((2, 18), (merged.RoundTrips, merged.Requests));
    }
}
