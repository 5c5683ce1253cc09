using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Testing;
using static TreasuryManager.Contracts.Tests.Perp.PerpMath;

namespace TreasuryManager.Contracts.Tests.Security;

/// <summary>
/// The keeper's hedge is bounded over time too (docs/keeper-key-bound.md): a margin cap (the vault's account margin after a
/// keeper deposit) and a traded-notional budget per HEDGE_WINDOW (1 day), so that a stolen key can neither park the
/// treasury's quote on the market nor churn trades to burn fees. Both refusals name the figure and the limit and change
/// nothing; the owner's closeHedge is never limited.
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class HedgeBoundTests(LocalNodeFixture node) : NodeTest(node)
{
    private sealed record HedgeState(PerpMarket.Account Account, BigInteger VaultQuote);

    private static async Task<HedgeState> CaptureAsync(TreasuryDeployer d) =>
        new(await d.Perp!.AccountOfAsync(d.Vault.Address), await d.Quote.BalanceOfAsync(d.Vault.Address));

    [Fact]
    public async Task The_margin_cap_and_the_volume_budget_refuse_with_named_errors_and_change_nothing()
    {
        var perp = new PerpDeploymentSettings();
        var d = await TreasuryDeployment.DeployAsync(Node, new DeploymentSettings { Perp = perp });
        var pool = d.Pool.Address;
        var maxNotional = d.QuoteUnits(perp.MaxHedgeNotional);
        // setHedgePolicy set the defaults: margin cap = maxNotional, volume = 4 × maxNotional a day
        Assert.Equal(new TreasuryVault.HedgeLimits(maxNotional, 4 * maxNotional), await d.Vault.HedgeLimitsOfAsync(pool));

        foreach (var sender in new[] { d.Keeper, d.Guardian, d.Stranger })
            await Reverts.ExpectAsync(TreasuryVault.Errors.OwnableUnauthorizedAccount,
                () => d.Vault.SetHedgeLimitsAsync(sender, pool, new TreasuryVault.HedgeLimits(0, 0)));
        var limits = new TreasuryVault.HedgeLimits(d.QuoteUnits(6_000m), d.QuoteUnits(50_000m));
        var set = Assert.Single(TreasuryVault.HedgeLimitsSetEvents(await d.Vault.SetHedgeLimitsAsync(d.Owner, pool, limits)));
        Assert.Equal((pool, limits.MaxMargin, limits.MaxVolume), (set.Pool, set.MaxMargin, set.MaxVolume));

        // 5,000 margin, short 10,000 base at 2.0: 20,000 traded
        var size = -d.BaseUnits(10_000m);
        await d.Vault.AdjustHedgeAsync(d.Keeper, pool, size, d.QuoteUnits(5_000m));
        var margin = d.QuoteUnits(5_000m) - Fee(size, Price(d.Settings.OraclePrice), perp.TradeFeePips);

        // 2,000 more margin: 6,990 > 6,000
        var before = await CaptureAsync(d);
        var capped = await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeMarginCapExceeded,
            () => d.Vault.AdjustHedgeAsync(d.Keeper, pool, 0, d.QuoteUnits(2_000m)));
        Assert.Equal(margin + d.QuoteUnits(2_000m), capped.Arg("margin"));
        Assert.Equal(limits.MaxMargin, capped.Arg("maxMargin"));
        Assert.Equal(before, await CaptureAsync(d));
        await d.Vault.AdjustHedgeAsync(d.Keeper, pool, 0, d.QuoteUnits(900m)); // 5,890 <= 6,000

        // volume: +10,000 base (20,000; 40,000 in the window) passes, −10,000 more would make 60,000 > 50,000
        await d.Vault.AdjustHedgeAsync(d.Keeper, pool, -size, 0);
        before = await CaptureAsync(d);
        var churn = await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeVolumeBudgetExceeded,
            () => d.Vault.AdjustHedgeAsync(d.Keeper, pool, size, 0));
        Assert.Equal(d.QuoteUnits(60_000m), churn.Arg("volume"));
        Assert.Equal(limits.MaxVolume, churn.Arg("maxVolume"));
        Assert.Equal(before, await CaptureAsync(d));
        // 5,000 base (10,000) still fits exactly
        await d.Vault.AdjustHedgeAsync(d.Keeper, pool, size / 2, 0);
        await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeVolumeBudgetExceeded, () => d.Vault.AdjustHedgeAsync(d.Keeper, pool, BigInteger.Pow(10, 12), 0));

        // the next window (one day later) has a fresh budget
        await d.IncreaseTimeAsync(86_400);
        await d.Oracle.UpdateAsync(d.Reporter, d.Settings.OraclePrice, d.Settings.OracleVolatility);
        await d.Vault.AdjustHedgeAsync(d.Keeper, pool, size, 0);

        // the owner closes whatever the limits (the close trades 15,000 base = 30,000 more)
        await d.Vault.SetHedgeLimitsAsync(d.Owner, pool, new TreasuryVault.HedgeLimits(0, 0));
        await d.Vault.CloseHedgeAsync(d.Owner, pool);
        Assert.Equal(BigInteger.Zero, (await d.Perp!.AccountOfAsync(d.Vault.Address)).Size);
    }
}
