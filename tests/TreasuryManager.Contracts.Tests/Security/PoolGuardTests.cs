using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Testing;
using TreasuryManager.TestContracts;
using TreasuryManager.Models.Curve;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>The pool's own guards on swaps: deadline, slippage, range edge, fee-on-transfer input — each refused with its error, the pool unchanged.</summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class PoolGuardTests(LocalNodeFixture node) : SecurityTest(node)
{
    [Fact]
    public async Task A_swap_after_its_deadline_is_refused_with_DeadlineExpired()
    {
        var before = await S.CaptureAsync();
        var deadline = await D.LatestTimestampAsync();
        await D.IncreaseTimeAsync(1);
        var reason = await Reverts.ExpectAsync(ManagedPool.Errors.DeadlineExpired,
            () => D.Pool.SwapExactInAsync(D.Trader, true, D.BaseUnits(1m), 0, D.Trader.Address, deadline));
        Assert.Equal(new BigInteger(deadline), reason.Arg("deadline"));
        Assert.True(reason.Arg("timestamp") > deadline);
        Assert.Equal(before, await S.CaptureAsync());
    }

    [Fact]
    public async Task A_swap_paying_less_than_the_minimum_is_refused_with_InsufficientOutput()
    {
        var before = await S.CaptureAsync();
        var quote = await D.Pool.QuoteExactInAsync(true, D.BaseUnits(10m));
        var reason = await Reverts.ExpectAsync(ManagedPool.Errors.InsufficientOutput, () => D.SwapAsync(true, D.BaseUnits(10m), quote.AmountOut + 1));
        Assert.Equal(quote.AmountOut, reason.Arg("amountOut"));
        Assert.Equal(quote.AmountOut + 1, reason.Arg("minAmountOut"));
        Assert.Equal(before, await S.CaptureAsync());

        // exactly the minimum passes, and pays what the quote said
        var swap = Assert.Single(ManagedPool.SwapEvents(await D.SwapAsync(true, D.BaseUnits(10m), quote.AmountOut)));
        Assert.Equal(quote.AmountOut, swap.AmountOut);
    }

    [Fact]
    public async Task A_swap_stops_at_the_range_edge_and_the_next_one_that_way_is_refused_with_RangeEdgeReached()
    {
        await D.Quote.MintAsync(D.Owner, D.Trader.Address, D.QuoteUnits(1_000_000m));
        var swap = Assert.Single(ManagedPool.SwapEvents(await D.SwapAsync(false, D.QuoteUnits(1_000_000m))));
        Assert.True(swap.AmountIn < D.QuoteUnits(1_000_000m)); // only the input needed to reach the edge was pulled
        var high = SqrtPriceGrid.RoundDown(D.SqrtPriceX96(2.2m)); // the deployment's upper bound, on the pool's grid
        Assert.Equal(high, swap.SqrtPriceX96);

        var before = await S.CaptureAsync();
        var reason = await Reverts.ExpectAsync(ManagedPool.Errors.RangeEdgeReached, () => D.SwapAsync(false, D.QuoteUnits(1m)));
        Assert.Equal(high, reason.Arg("sqrtPriceX96"));
        Assert.Equal(before, await S.CaptureAsync());
        await D.SwapAsync(true, D.BaseUnits(1m)); // the other way is open
    }

    [Fact]
    public async Task Zero_and_oversized_inputs_are_refused()
    {
        await Reverts.ExpectAsync(ManagedPool.Errors.ZeroAmount, () => D.SwapAsync(true, 0));
        var reason = await Reverts.ExpectAsync(ManagedPool.Errors.AmountTooLarge, () => D.SwapAsync(true, BigInteger.One << 128));
        Assert.Equal(BigInteger.One << 128, reason.Arg("amount"));
    }

    [Fact]
    public async Task A_fee_on_transfer_input_is_refused_with_FeeOnTransferNotSupported()
    {
        // Base = a token burning 1% of every transfer. The vault's deposit lands 99% and sync books what arrived.
        var fot = await FeeOnTransferToken.DeployAsync(D.Owner, D.Artifact(FeeOnTransferToken.ArtifactName), "Taxed", "TAX", 18, 100);
        var pool = await S.DeployRegisteredPoolAsync(new MintableERC20(D.Eth, fot.Address), D.Quote);
        var before = await S.CaptureAsync(pool);
        Assert.Equal(D.BaseUnits(9_900m), before.State.Reserve0);
        Assert.Equal(before.Balance0, before.State.Reserve0);

        var amount = D.BaseUnits(10m);
        var reason = await Reverts.ExpectAsync(ManagedPool.Errors.FeeOnTransferNotSupported,
            () => pool.SwapExactInAsync(D.Trader, true, amount, 0, D.Trader.Address, TreasuryDeployer.Deadline));
        Assert.Equal(amount, reason.Arg("expected"));
        Assert.Equal(amount * 99 / 100, reason.Arg("received"));
        Assert.Equal(before, await S.CaptureAsync(pool));

        // Buying the taxed token is the buyer's loss only: the pool's books still equal its balances.
        await pool.SwapExactInAsync(D.Trader, false, D.QuoteUnits(10m), 0, D.Trader.Address, TreasuryDeployer.Deadline);
        var after = await S.CaptureAsync(pool);
        Assert.Equal(after.Balance0, after.State.Reserve0);
        Assert.Equal(after.Balance1, after.State.Reserve1);
    }
}
