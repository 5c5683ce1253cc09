using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Contracts.Deployment;
using TreasuryManager.Contracts.Tests.Support;
using TreasuryManager.Ethereum;
using TreasuryManager.Testing;
using static TreasuryManager.Contracts.Tests.Perp.PerpMath;

namespace TreasuryManager.Contracts.Tests.Perp;

/// <summary>
/// The vault's hedge on the deployment's optional PerpMarket (mark = the oracle's price feed, 2.0; fee 0.05%; the pool's
/// hedge policy: max notional 50,000 quote, min margin ratio 15%; the vault holds 20,000 quote for margin).
/// </summary>
[Collection(NodeCollection.Name)]
[Trait("Category", "Node")]
public sealed class VaultHedgeTests(LocalNodeFixture node) : NodeTest(node)
{
    private static readonly PerpDeploymentSettings Perp = new();

    private async Task<(TreasuryDeployer D, PerpMarket M)> DeployAsync()
    {
        var d = await TreasuryDeployment.DeployAsync(Node, new DeploymentSettings { Perp = Perp });
        return (d, d.Perp!);
    }

    private static BigInteger P(TreasuryDeployer d) => Price(d.Settings.OraclePrice);

    [Fact]
    public async Task The_deployer_adds_no_market_unless_asked_and_wires_the_hedge_policy_when_asked()
    {
        var plain = await TreasuryDeployment.DeployAsync(Node);
        Assert.Null(plain.Perp);
        Assert.Equal(Address.Zero, (await plain.Vault.HedgePolicyOfAsync(plain.Pool.Address)).Market);

        var (d, m) = await DeployAsync();
        Assert.Equal(new TreasuryVault.HedgePolicy(m.Address, d.QuoteUnits(Perp.MaxHedgeNotional), Perp.MinHedgeMarginRatioPips),
            await d.Vault.HedgePolicyOfAsync(d.Pool.Address));
        var p = await m.ParamsAsync();
        Assert.Equal((d.Quote.Address, d.Base.Address, d.PriceFeed), (p.QuoteToken, p.BaseToken, p.MarkFeed));
        Assert.Equal(d.QuoteUnits(Perp.VaultQuote), await d.Quote.BalanceOfAsync(d.Vault.Address));
    }

    [Fact]
    public async Task Only_the_keeper_adjusts_the_hedge_and_the_market_account_follows_exactly()
    {
        var (d, m) = await DeployAsync();
        var size = -d.BaseUnits(10_000m);
        var margin = d.QuoteUnits(5_000m);
        foreach (var sender in new[] { d.Owner, d.Guardian, d.Stranger, d.Trader })
        {
            var denied = await Reverts.ExpectAsync(TreasuryVault.Errors.NotKeeper, () => d.Vault.AdjustHedgeAsync(sender, d.Pool.Address, size, margin));
            Assert.Equal(sender.Address, (Address)denied.Arguments[0]!);
        }

        var receipt = await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, size, margin);
        var fee = Fee(size, P(d), Perp.TradeFeePips);
        var notional = BigInteger.Abs(Value(size, P(d)));
        Assert.Equal(d.QuoteUnits(20_000m), notional);
        Assert.Equal(new TreasuryVault.HedgeAdjustedEvent(d.Pool.Address, m.Address, size, margin, size, margin - fee, notional),
            TreasuryVault.HedgeAdjustedEvents(receipt).Single());
        Assert.Equal(new PerpMarket.Account(margin - fee, size, Value(size, P(d)), 0), await m.AccountOfAsync(d.Vault.Address));
        Assert.Equal(d.QuoteUnits(Perp.VaultQuote) - margin, await d.Quote.BalanceOfAsync(d.Vault.Address));

        // margin back to the vault, position halved
        var back = await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, -size / 2, -d.QuoteUnits(1_000m));
        Assert.Equal(size / 2, TreasuryVault.HedgeAdjustedEvents(back).Single().Size);
        Assert.Equal(d.QuoteUnits(Perp.VaultQuote) - margin + d.QuoteUnits(1_000m), await d.Quote.BalanceOfAsync(d.Vault.Address));
    }

    [Fact]
    public async Task Policy_limits_are_enforced_after_the_change_with_named_errors()
    {
        var (d, m) = await DeployAsync();
        var maxNotional = d.QuoteUnits(Perp.MaxHedgeNotional);

        // 30,000 base short = 60,000 quote notional > 50,000
        var tooLarge = await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeNotionalTooLarge,
            () => d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, -d.BaseUnits(30_000m), d.QuoteUnits(15_000m)));
        Assert.Equal(d.QuoteUnits(60_000m), tooLarge.Arg("notional"));
        Assert.Equal(maxNotional, tooLarge.Arg("maxNotional"));

        // 2,500 margin on 20,000 notional, minus the 10 fee: 2,490 / 20,000 = 12.45% < 15%
        var size = -d.BaseUnits(10_000m);
        var lowRatio = await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeMarginRatioTooLow,
            () => d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, size, d.QuoteUnits(2_500m)));
        var equity = d.QuoteUnits(2_500m) - Fee(size, P(d), Perp.TradeFeePips);
        Assert.Equal(equity * Pips / d.QuoteUnits(20_000m), lowRatio.Arg("marginRatioPips"));
        Assert.Equal(new BigInteger(124_500), lowRatio.Arg("marginRatioPips"));
        Assert.Equal(new BigInteger(Perp.MinHedgeMarginRatioPips), lowRatio.Arg("minMarginRatioPips"));
        Assert.Equal(new PerpMarket.Account(0, 0, 0, 0), await m.AccountOfAsync(d.Vault.Address)); // all or nothing

        // within the policy; then withdrawing margin below 15% is refused, exactly at 15% is accepted
        await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, size, d.QuoteUnits(4_000m));
        var atLimit = d.QuoteUnits(4_000m) - Fee(size, P(d), Perp.TradeFeePips) - d.QuoteUnits(3_000m);
        await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeMarginRatioTooLow,
            () => d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, 0, -(atLimit + 1)));
        await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, 0, -atLimit);
        Assert.Equal(d.QuoteUnits(3_000m), (await m.AccountViewAsync(d.Vault.Address)).Equity);

        // a pool without a market
        await d.Vault.SetHedgePolicyAsync(d.Owner, d.Pool.Address, new TreasuryVault.HedgePolicy(m.Address, maxNotional, 150_000)); // same market: allowed while open
        var open = await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeOpen,
            () => d.Vault.SetHedgePolicyAsync(d.Owner, d.Pool.Address, new TreasuryVault.HedgePolicy(Address.Zero, 0, 0)));
        Assert.Equal(size, open.Arg("size"));
        var outOfBounds = await Reverts.ExpectAsync(TreasuryVault.Errors.PolicyOutOfBounds,
            () => d.Vault.SetHedgePolicyAsync(d.Owner, d.Pool.Address, new TreasuryVault.HedgePolicy(m.Address, maxNotional, 1_000_001)));
        Assert.Equal(new BigInteger(9), outOfBounds.Arg("param"));
    }

    [Fact]
    public async Task The_owner_closes_the_hedge_always_even_paused_and_past_the_policy_and_the_guardian_cannot_adjust()
    {
        var (d, m) = await DeployAsync();
        var size = -d.BaseUnits(10_000m);
        var margin = d.QuoteUnits(5_000m);
        await d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, size, margin);
        var fee0 = Fee(size, P(d), Perp.TradeFeePips);

        // price up 2.0 → 2.3: the short loses 3,000; equity 1,990 / 23,000 = 8.65% < 15% (past the policy)
        await d.Oracle.UpdateAsync(d.Reporter, 230_000_000, d.Settings.OracleVolatility);
        var p1 = Price(230_000_000);
        var view = await m.AccountViewAsync(d.Vault.Address);
        Assert.True(view.Equity * Pips / view.Notional < Perp.MinHedgeMarginRatioPips);
        // the keeper can neither take margin out (the market's initial-margin guard) nor leave it below the policy
        await Reverts.ExpectAsync(PerpMarket.Errors.BelowInitialMargin, () => d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, 0, -1));
        await Reverts.ExpectAsync(TreasuryVault.Errors.HedgeMarginRatioTooLow, () => d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, 0, 1));

        await d.Vault.PauseAsync(d.Guardian);
        await Reverts.ExpectAsync(TreasuryVault.Errors.EnforcedPause, () => d.Vault.AdjustHedgeAsync(d.Keeper, d.Pool.Address, -size, 0));
        var guardian = await Reverts.ExpectAsync(TreasuryVault.Errors.NotKeeper, () => d.Vault.AdjustHedgeAsync(d.Guardian, d.Pool.Address, -size, 0));
        Assert.Equal(d.Guardian.Address, (Address)guardian.Arguments[0]!);
        foreach (var sender in new[] { d.Guardian, d.Keeper, d.Stranger })
            await Reverts.ExpectAsync(TreasuryVault.Errors.OwnableUnauthorizedAccount, () => d.Vault.CloseHedgeAsync(sender, d.Pool.Address));

        var ownerBefore = await d.Quote.BalanceOfAsync(d.Owner.Address);
        var receipt = await d.Vault.CloseHedgeAsync(d.Owner, d.Pool.Address);
        var left = margin - fee0 + (Value(size, p1) - Value(size, P(d))) - Fee(size, p1, Perp.TradeFeePips);
        Assert.Equal(d.QuoteUnits(5_000m - 10m - 3_000m - 11.5m), left);
        Assert.Equal(new TreasuryVault.HedgeClosedEvent(d.Pool.Address, m.Address, -size, left, d.Owner.Address),
            TreasuryVault.HedgeClosedEvents(receipt).Single());
        Assert.Equal(ownerBefore + left, await d.Quote.BalanceOfAsync(d.Owner.Address));
        Assert.Equal(new PerpMarket.Account(0, 0, 0, 0), await m.AccountOfAsync(d.Vault.Address));
        Assert.True(await d.Vault.PausedAsync());

        // closing an empty hedge is a no-op that still succeeds; after it the market can be replaced
        var again = TreasuryVault.HedgeClosedEvents(await d.Vault.CloseHedgeAsync(d.Owner, d.Pool.Address)).Single();
        Assert.Equal((BigInteger.Zero, BigInteger.Zero), (again.ClosedSize, again.Margin));
        await d.Vault.SetHedgePolicyAsync(d.Owner, d.Pool.Address, new TreasuryVault.HedgePolicy(Address.Zero, 0, 0));
        await Reverts.ExpectAsync(TreasuryVault.Errors.NoHedgePolicy, () => d.Vault.CloseHedgeAsync(d.Owner, d.Pool.Address));
    }
}
