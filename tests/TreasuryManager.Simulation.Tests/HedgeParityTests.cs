using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Keeper.Hedging;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Simulation.Tests;

/// <summary>
/// The backtest's hedge step and the keeper's make the same decision on the same inputs: at every keeper step of
/// hedged runs (calm and crash, two paths each), the state the backtest's hedge sees is given to the keeper's own input
/// builder (<see cref="KeeperCycle.HedgeInputs"/>, from the contract binding records the keeper reads from chain), and
/// the two inputs, decisions and orders are equal.
/// </summary>
public sealed class HedgeParityTests
{
    private static readonly Address Pool = Address.Parse("0x00000000000000000000000000000000000000a1");
    private static readonly Address Market = Address.Parse("0x00000000000000000000000000000000000000e1");

    [Theory]
    [InlineData("calm", 11)]
    [InlineData("crash", 12)]
    public void The_backtests_hedge_and_the_keepers_decide_alike_on_the_same_state(string scenario, int seed)
    {
        var s = TestScenarios.Short(scenario, 576);
        var compared = 0;
        var trades = 0;
        for (var p = 0; p < 2; p++)
        {
            var path = MarketPath.Generate(s, Backtest.PathSeed((ulong)seed, p));
            HedgedStrategy strategy = null!;
            strategy = new HedgedStrategy(s, "hedged", defended: false) { BeforeHedge = (sim, tick) => Compare(sim, tick) };
            var market = new Market(path, strategy.Start(path, Units.Raw(s.Pool.BaseAmount), Units.Raw(s.Pool.BaseAmount * s.Price.Initial), InMemoryVenueFactory.Instance));
            for (var t = 1; t <= path.Steps; t++)
            {
                Agents.Step(market, t);
                strategy.OnStep(market, t);
            }

            void Compare(HedgeStepInputs sim, PerpTick tick)
            {
                // the same account and market as the keeper reads them from chain (binding records)
                var view = strategy.Perp.View(HedgedStrategy.Account, tick);
                var chainView = new PerpMarket.AccountView(view.Margin, view.Size, tick.Mark, view.UnrealizedPnl, sim.Account.Account.Equity, view.Notional, view.InitialMargin, view.MaintenanceMargin);
                var policy = new TreasuryVault.HedgePolicy(Market, sim.Account.Limits.MaxNotional, sim.Account.Limits.MinMarginRatioPips);
                var parameters = new PerpMarket.MarketParams(Address.Zero, Address.Zero, Address.Zero, Address.Zero, 3600, s.Perp.FundingIntervalSeconds, 0,
                    s.Perp.FeePips, s.Perp.InitialMarginPips, s.Perp.MaintenanceMarginPips, s.Perp.LiquidationPenaltyPips);
                var state = new PerpHedgeState(Pool, policy, parameters, chainView, 18, HedgedStrategy.QuoteDecimals);
                var identity = new PoolIdentity(Pool, "sim", Address.Zero, Address.Zero, 18, 18);
                var settings = new HedgeSettings { Ratio = s.Perp.HedgeRatio, TargetMarginRatio = s.Perp.TargetMarginRatio, ReferenceBase = s.Pool.BaseAmount };
                var keeper = KeeperCycle.HedgeInputs(sim.Curve, strategy.Managed.LastDecision!.Inventory!, identity, state, settings, strategy.Managed.Settings.RiskAversion, sim.Costs);

                Assert.Equal(sim, keeper);
                var decision = HedgePlanner.Decide(sim);
                Assert.Equal(decision, HedgePlanner.Decide(keeper));
                if (decision is HedgeAdjust a)
                {
                    Assert.Equal(HedgePlanner.Order(sim, a.SizeDelta), HedgePlanner.Order(keeper, a.SizeDelta));
                    trades++;
                }
                compared++;
            }
        }
        Assert.True(compared > 50, $"only {compared} keeper steps compared");
        Assert.True(trades > 0, "no step asked for a trade: the orders were never compared");
    }
}
