using TreasuryManager.Ethereum;
using TreasuryManager.Keeper.Configuration;
using TreasuryManager.Keeper.Cycle;
using TreasuryManager.Strategy.Settings;

namespace TreasuryManager.Keeper.Tests;

/// <summary>Per-pool numbers in quote units (ETH's price for gas, γ): which one each pool gets, and the mixed-quote error.</summary>
public sealed class QuotePricingTests
{
    private static readonly Address Weth = Address.Parse("0x00000000000000000000000000000000000000e1");
    private static readonly Address Usdc = Address.Parse("0x00000000000000000000000000000000000000c6");
    private static readonly Address Base = Address.Parse("0x00000000000000000000000000000000000000ba");
    private static readonly Address P1 = Address.Parse("0x0000000000000000000000000000000000000a01");
    private static readonly Address P2 = Address.Parse("0x0000000000000000000000000000000000000a02");
    private static readonly Address P3 = Address.Parse("0x0000000000000000000000000000000000000a03");

    private static PoolIdentity Pool(Address pool, Address quote, int decimals) => new(pool, pool.ToString(), Base, quote, 18, decimals);

    private static TreasurySettings With(params PoolSettings[] pools) => new() { Pools = pools, Gas = new GasSettings { EthPriceInQuote = 2500 } };

    [Fact]
    public void One_quote_token_uses_the_shared_price_unless_a_pool_sets_its_own()
    {
        var settings = With(new PoolSettings { Address = P1.ToString() }, new PoolSettings { Address = P2.ToString(), EthPriceInQuote = 2600 });
        var gas = QuotePricing.GasPerPool(settings, [Pool(P1, Usdc, 6), Pool(P2, Usdc, 6)]);
        Assert.Equal(2500m, gas[P1].EthPriceInQuote);
        Assert.Equal(2600m, gas[P2].EthPriceInQuote);
        Assert.Equal(settings.Gas.MaxFeePerGasGwei, gas[P2].MaxFeePerGasGwei);
    }

    [Fact]
    public void Mixed_quotes_take_each_pools_own_price_and_gamma()
    {
        var settings = With(
            new PoolSettings { Address = P1.ToString(), EthPriceInQuote = 1, RiskAversion = 0.3 },
            new PoolSettings { Address = P2.ToString(), EthPriceInQuote = 3000 });
        IReadOnlyList<PoolIdentity> pools = [Pool(P1, Weth, 18), Pool(P2, Usdc, 6)];
        var gas = QuotePricing.GasPerPool(settings, pools);
        var strategy = QuotePricing.StrategyPerPool(settings, pools);
        Assert.Equal(1m, gas[P1].EthPriceInQuote);
        Assert.Equal(3000m, gas[P2].EthPriceInQuote);
        Assert.Equal(0.3, strategy[P1].RiskAversion);
        Assert.Equal(settings.Strategy.RiskAversion, strategy[P2].RiskAversion);
    }

    [Fact]
    public void Mixed_quotes_without_a_pools_own_price_name_that_pool_and_the_tokens()
    {
        var settings = With(
            new PoolSettings { Address = P1.ToString(), EthPriceInQuote = 1 },
            new PoolSettings { Address = P2.ToString(), EthPriceInQuote = 3000 },
            new PoolSettings { Address = P3.ToString(), Name = "BASE/USDC-wide" });
        var error = Assert.Throws<SettingsException>(() =>
            QuotePricing.GasPerPool(settings, [Pool(P1, Weth, 18), Pool(P2, Usdc, 6), Pool(P3, Usdc, 6)]));
        Assert.Equal("Pools:2:EthPriceInQuote", error.Path);
        Assert.Contains("BASE/USDC-wide", error.Message);
        Assert.Contains(Usdc.ToString(), error.Message);
        Assert.Contains(Weth.ToString(), error.Message);
        Assert.Contains("Gas:EthPriceInQuote (2500)", error.Message);
    }

    [Theory]
    [InlineData(0, null, "Pools:0:EthPriceInQuote")]
    [InlineData(-1, null, "Pools:0:EthPriceInQuote")]
    [InlineData(null, 0.0, "Pools:0:RiskAversion")]
    [InlineData(null, double.NaN, "Pools:0:RiskAversion")]
    public void A_non_positive_per_pool_number_is_a_settings_error(int? ethPrice, double? gamma, string path)
    {
        var pool = new PoolSettings { Address = P1.ToString(), EthPriceInQuote = ethPrice, RiskAversion = gamma };
        Assert.Equal(path, Assert.Throws<SettingsException>(() => pool.Validate("Pools:0")).Path);
    }
}
