using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Strategy.Hedging;

namespace TreasuryManager.Keeper.Hedging;

/// <summary>
/// A pool's hedge account as read from chain, in the market's raw units (PerpMarket NatSpec: sizes in base units,
/// signed; margins in quote units; prices in quote units per base unit × 1e36), with the human conversions.
/// </summary>
public sealed record PerpHedgeState(Address Pool, TreasuryVault.HedgePolicy Policy, PerpMarket.MarketParams Params, PerpMarket.AccountView Account, int BaseDecimals, int QuoteDecimals)
{
    public Address Market => Policy.Market;

    /// <summary>Signed position, whole base tokens.</summary>
    public double Size => Planning.Size;

    /// <summary>Mark, whole quote per whole base.</summary>
    public double MarkPrice => Planning.MarkPrice;

    /// <summary>Equity (margin after pending funding + unrealised PnL), whole quote.</summary>
    public double Equity => Planning.Equity;

    /// <summary>The trade fee rate (0.0005 = 5 bp).</summary>
    public double FeeRate => Planning.FeeRate;

    /// <summary>The largest |position| the policy's maxNotional allows at this mark, whole base.</summary>
    public double MaxAbsSize => Planning.MaxAbsSize;

    public HedgePosition Position => Planning.Position;

    /// <summary>The same account as the hedge planner takes it (plain numbers, no binding types).</summary>
    public PerpHedgeAccount Planning => new(
        new PerpAccountState(Account.Size, Account.Margin, Account.Equity, Account.MarkPrice),
        new PerpMarketTerms((long)Params.TradeFeePips, (long)Params.InitialMarginPips),
        new HedgeLimits(Policy.MaxNotional, (long)Policy.MinMarginRatioPips), BaseDecimals, QuoteDecimals);
}

