using System.Globalization;
using System.Numerics;
using TreasuryManager.Contracts.Bindings;
using TreasuryManager.Ethereum;
using TreasuryManager.Ethereum.Contracts;
using TreasuryManager.Ethereum.Crypto;
using TreasuryManager.Ethereum.DevNode;
using TreasuryManager.Ethereum.JsonRpc;

namespace TreasuryManager.Contracts.Deployment;

/// <summary>The parameters of a deployment; defaults: base 18 decimals, quote 6, price 2.0 on [1.8, 2.2], fee 0.3%.</summary>
public record TreasuryDeploymentSettings
{
    public int BaseDecimals { get; init; } = 18;
    public int QuoteDecimals { get; init; } = 6;
    /// <summary>Human price: quote per base.</summary>
    public decimal Price { get; init; } = 2.0m;
    public decimal PriceLow { get; init; } = 1.8m;
    public decimal PriceHigh { get; init; } = 2.2m;
    public int FeePips { get; init; } = 3000;
    /// <summary>Deposited into the pool by the owner (human units).</summary>
    public decimal DepositBase { get; init; } = 100_000m;
    public decimal DepositQuote { get; init; } = 200_000m;
    /// <summary>Minted to the trader (human units).</summary>
    public decimal TraderBase { get; init; } = 100_000m;
    public decimal TraderQuote { get; init; } = 200_000m;
    public int ObservationCardinality { get; init; } = 16;
    /// <summary>Oracle price and volatility, 8 decimals.</summary>
    public BigInteger OraclePrice { get; init; } = 200_000_000;
    public BigInteger OracleVolatility { get; init; } = 65_000_000;
    public TreasuryVault.PolicyParams? Policy { get; init; }
    /// <summary>
    /// Pools deployed into the one vault, at most <see cref="TreasuryDeployer.MaxPoolsPerVault"/>; every pool after the
    /// first is added by <see cref="TreasuryDeployer.AddPoolAsync"/>.
    /// </summary>
    public int PoolCount { get; init; } = 1;
    /// <summary>An optional PerpMarket on (base, quote) wired as the pool's hedge market; null (the default) deploys none.</summary>
    public PerpDeploymentSettings? Perp { get; init; }
}

/// <summary>
/// The optional PerpMarket of a deployment: mark = the oracle's price feed, funding at a configured rate (no index feed),
/// fee 0.05%, initial margin 10%, maintenance 5%, penalty 2%; funded as the counterparty, and the vault's hedge policy.
/// </summary>
public sealed record PerpDeploymentSettings
{
    public int Heartbeat { get; init; } = 3600;
    public int FundingInterval { get; init; } = 3600;
    /// <summary>Per interval, 1e18 = 100% (default 0.01%: longs pay).</summary>
    public BigInteger FundingRateWad { get; init; } = BigInteger.Pow(10, 14);
    public int TradeFeePips { get; init; } = 500;
    public int InitialMarginPips { get; init; } = 100_000;
    public int MaintenanceMarginPips { get; init; } = 50_000;
    public int LiquidationPenaltyPips { get; init; } = 20_000;
    /// <summary>Quote minted to the market so that it can pay winning positions (human units).</summary>
    public decimal MarketQuote { get; init; } = 100_000m;
    /// <summary>Quote minted to the vault for hedge margin (human units).</summary>
    public decimal VaultQuote { get; init; } = 20_000m;
    /// <summary>The vault's hedge policy: max notional (human quote) and min margin ratio (pips).</summary>
    public decimal MaxHedgeNotional { get; init; } = 50_000m;
    public int MinHedgeMarginRatioPips { get; init; } = 150_000;
}

/// <summary>
/// Deploys a whole TreasuryManager — tokens, oracle, vault, pool, roles, policy, funds — in the order
/// contracts/README.md gives, through the typed bindings. Accounts by index of <c>key</c>: 0 owner,
/// 1 keeper, 2 guardian, 3 trader, 4 reporter, 5 stranger. Used by the tests' fixture and the gas report.
/// <see cref="TreasuryDeploymentSettings.PoolCount"/> &gt; 1 (or <see cref="AddPoolAsync"/>) adds pools on the same
/// tokens and feeds to the same vault, each registered with the policy and holding its own deposit (the keeper benchmark).
/// </summary>
public sealed class TreasuryDeployer
{
    public static readonly BigInteger Q96 = BigInteger.One << 96;
    public static readonly BigInteger Deadline = BigInteger.One << 40;
    public static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;
    /// <summary>"No observation hint": the vault searches the ring itself.</summary>
    public const int NoObservationHint = 65535;
    /// <summary>TreasuryVault.MAX_POOLS: registerPool reverts with TooManyPools past it (it bounds pauseAll's loop).</summary>
    public const int MaxPoolsPerVault = 16;

    private TreasuryDeployer(EthClient eth, string repositoryRoot, TreasuryDeploymentSettings settings)
    {
        Eth = eth;
        RepositoryRoot = repositoryRoot;
        Settings = settings;
    }

    public EthClient Eth { get; }
    public RpcClient Rpc => Eth.Rpc;
    public string RepositoryRoot { get; }
    public TreasuryDeploymentSettings Settings { get; }
    public AccountSender Owner { get; private set; } = null!;
    public AccountSender Keeper { get; private set; } = null!;
    public AccountSender Guardian { get; private set; } = null!;
    public AccountSender Trader { get; private set; } = null!;
    public AccountSender Reporter { get; private set; } = null!;
    public AccountSender Stranger { get; private set; } = null!;
    public MintableERC20 Base { get; private set; } = null!;
    public MintableERC20 Quote { get; private set; } = null!;
    public VolatilityOracle Oracle { get; private set; } = null!;
    public Address PriceFeed { get; private set; }
    public Address VolatilityFeed { get; private set; }
    public TreasuryVault Vault { get; private set; } = null!;
    /// <summary>The first pool.</summary>
    public ManagedPool Pool { get; private set; } = null!;
    /// <summary>Every pool in the vault, <see cref="Pool"/> first, in the order deployed.</summary>
    public IReadOnlyList<ManagedPool> Pools => _pools;
    private readonly List<ManagedPool> _pools = [];
    public TreasuryVault.PolicyParams Policy { get; private set; } = null!;
    /// <summary>The hedge market when <see cref="TreasuryDeploymentSettings.Perp"/> was set (or <see cref="DeployPerpAsync"/> ran), else null.</summary>
    public PerpMarket? Perp { get; private set; }

    public HardhatArtifact Artifact(string name) => HardhatArtifact.Find(RepositoryRoot, name);

    /// <summary>Deploys and wires everything; the pool holds the deposit and the trader holds approved funds.</summary>
    public static async Task<TreasuryDeployer> DeployAsync(EthClient eth, string repositoryRoot, Func<int, EthKey> key, TreasuryDeploymentSettings? settings = null, long chainId = LocalNode.DefaultChainId)
    {
        ArgumentNullException.ThrowIfNull(eth);
        ArgumentNullException.ThrowIfNull(key);
        if (settings is { PoolCount: < 1 or > MaxPoolsPerVault })
            throw new ArgumentOutOfRangeException(nameof(settings), settings.PoolCount,
                $"PoolCount {settings.PoolCount} must lie in [1, {MaxPoolsPerVault}]: the vault registers at most MAX_POOLS = {MaxPoolsPerVault} pools");
        var d = new TreasuryDeployer(eth, repositoryRoot, settings ?? new TreasuryDeploymentSettings());
        var s = d.Settings;
        d.Owner = await AccountSender.ConnectAsync(eth, key(0), chainId);
        d.Keeper = await AccountSender.ConnectAsync(eth, key(1), chainId);
        d.Guardian = await AccountSender.ConnectAsync(eth, key(2), chainId);
        d.Trader = await AccountSender.ConnectAsync(eth, key(3), chainId);
        d.Reporter = await AccountSender.ConnectAsync(eth, key(4), chainId);
        d.Stranger = await AccountSender.ConnectAsync(eth, key(5), chainId);

        d.Base = await MintableERC20.DeployAsync(d.Owner, d.Artifact(MintableERC20.ArtifactName), "Base", "BASE", s.BaseDecimals);
        d.Quote = await MintableERC20.DeployAsync(d.Owner, d.Artifact(MintableERC20.ArtifactName), "Quote", "USDQ", s.QuoteDecimals);
        d.Oracle = await VolatilityOracle.DeployAsync(d.Owner, d.Artifact(VolatilityOracle.ArtifactName), d.Owner.Address, d.Reporter.Address, 8, 8, "BASE / USDQ", "BASE / USDQ volatility");
        d.PriceFeed = await d.Oracle.PriceFeedAsync();
        d.VolatilityFeed = await d.Oracle.VolatilityFeedAsync();
        await d.Oracle.UpdateAsync(d.Reporter, s.OraclePrice, s.OracleVolatility);

        d.Vault = await TreasuryVault.DeployAsync(d.Owner, d.Artifact(TreasuryVault.ArtifactName), d.Owner.Address);
        d.Pool = await ManagedPool.DeployAsync(d.Owner, d.Artifact(ManagedPool.ArtifactName), d.Base.Address, d.Quote.Address, d.Vault.Address,
            d.SqrtPriceX96(s.Price), d.SqrtPriceX96(s.PriceLow), d.SqrtPriceX96(s.PriceHigh), s.FeePips);
        d._pools.Add(d.Pool);

        d.Policy = s.Policy ?? DefaultPolicy(d.PriceFeed, d.VolatilityFeed);
        await d.Vault.SetKeeperAsync(d.Owner, d.Keeper.Address, true);
        await d.Vault.SetGuardianAsync(d.Owner, d.Guardian.Address, true);
        await d.Vault.RegisterPoolAsync(d.Owner, d.Pool.Address, d.Policy);
        await d.Pool.IncreaseObservationCardinalityAsync(d.Owner, s.ObservationCardinality);

        await d.Base.MintAsync(d.Owner, d.Owner.Address, d.BaseUnits(s.DepositBase * 10));
        await d.Quote.MintAsync(d.Owner, d.Owner.Address, d.QuoteUnits(s.DepositQuote * 10));
        await d.Base.ApproveAsync(d.Owner, d.Vault.Address, MaxUint256);
        await d.Quote.ApproveAsync(d.Owner, d.Vault.Address, MaxUint256);
        await d.Vault.DepositAsync(d.Owner, d.Pool.Address, d.BaseUnits(s.DepositBase), d.QuoteUnits(s.DepositQuote));

        await d.Base.MintAsync(d.Owner, d.Trader.Address, d.BaseUnits(s.TraderBase));
        await d.Quote.MintAsync(d.Owner, d.Trader.Address, d.QuoteUnits(s.TraderQuote));
        await d.Base.ApproveAsync(d.Trader, d.Pool.Address, MaxUint256);
        await d.Quote.ApproveAsync(d.Trader, d.Pool.Address, MaxUint256);
        for (var i = 1; i < s.PoolCount; i++) await d.AddPoolAsync();
        if (s.Perp is not null) await d.DeployPerpAsync(s.Perp);
        return d;
    }

    /// <summary>
    /// Deploys one more pool on the same tokens at the settings' price and range, registers it in the vault with
    /// <paramref name="policy"/> (default: <see cref="Policy"/>, so the same feeds), deposits the settings' amounts
    /// into it (minted to the owner first) and approves it for the trader. Returns the pool, also appended to <see cref="Pools"/>.
    /// </summary>
    public async Task<ManagedPool> AddPoolAsync(TreasuryVault.PolicyParams? policy = null)
    {
        var s = Settings;
        var pool = await ManagedPool.DeployAsync(Owner, Artifact(ManagedPool.ArtifactName), Base.Address, Quote.Address, Vault.Address,
            SqrtPriceX96(s.Price), SqrtPriceX96(s.PriceLow), SqrtPriceX96(s.PriceHigh), s.FeePips);
        await Vault.RegisterPoolAsync(Owner, pool.Address, policy ?? Policy);
        await pool.IncreaseObservationCardinalityAsync(Owner, s.ObservationCardinality);
        await Base.MintAsync(Owner, Owner.Address, BaseUnits(s.DepositBase));
        await Quote.MintAsync(Owner, Owner.Address, QuoteUnits(s.DepositQuote));
        await Vault.DepositAsync(Owner, pool.Address, BaseUnits(s.DepositBase), QuoteUnits(s.DepositQuote));
        await Base.ApproveAsync(Trader, pool.Address, MaxUint256);
        await Quote.ApproveAsync(Trader, pool.Address, MaxUint256);
        _pools.Add(pool);
        return pool;
    }

    /// <summary>
    /// Deploys a PerpMarket on (base, quote) with the oracle's price feed as mark, mints its counterparty quote and the vault's
    /// hedge quote, and sets the pool's hedge policy on the vault.
    /// </summary>
    public async Task<PerpMarket> DeployPerpAsync(PerpDeploymentSettings perp)
    {
        ArgumentNullException.ThrowIfNull(perp);
        if (Perp is not null) throw new InvalidOperationException($"This deployment has a PerpMarket already ({Perp.Address}); deploy it once.");
        var market = await PerpMarket.DeployAsync(Owner, Artifact(PerpMarket.ArtifactName), new PerpMarket.MarketParams(
            QuoteToken: Quote.Address, BaseToken: Base.Address, MarkFeed: PriceFeed, IndexFeed: Address.Zero,
            Heartbeat: perp.Heartbeat, FundingInterval: perp.FundingInterval, FundingRateWad: perp.FundingRateWad,
            TradeFeePips: perp.TradeFeePips, InitialMarginPips: perp.InitialMarginPips,
            MaintenanceMarginPips: perp.MaintenanceMarginPips, LiquidationPenaltyPips: perp.LiquidationPenaltyPips));
        await Quote.MintAsync(Owner, market.Address, QuoteUnits(perp.MarketQuote));
        await Quote.MintAsync(Owner, Vault.Address, QuoteUnits(perp.VaultQuote));
        await Vault.SetHedgePolicyAsync(Owner, Pool.Address, new TreasuryVault.HedgePolicy(market.Address, QuoteUnits(perp.MaxHedgeNotional), perp.MinHedgeMarginRatioPips));
        Perp = market;
        return market;
    }

    /// <summary>
    /// As <see cref="DeployPerpAsync(PerpDeploymentSettings)"/> for another pool of this deployment: a PerpMarket of its own
    /// on the same tokens (the vault holds one account per market, so two pools cannot share one), funded the same way,
    /// set as <paramref name="pool"/>'s hedge market. <see cref="Perp"/> is unchanged.
    /// </summary>
    public async Task<PerpMarket> DeployPerpAsync(PerpDeploymentSettings perp, ManagedPool pool)
    {
        ArgumentNullException.ThrowIfNull(perp);
        ArgumentNullException.ThrowIfNull(pool);
        if (!_pools.Any(p => p.Address == pool.Address)) throw new ArgumentException($"pool {pool.Address} is not one of this deployment's pools; deploy it with AddPoolAsync first", nameof(pool));
        var market = await PerpMarket.DeployAsync(Owner, Artifact(PerpMarket.ArtifactName), new PerpMarket.MarketParams(
            QuoteToken: Quote.Address, BaseToken: Base.Address, MarkFeed: PriceFeed, IndexFeed: Address.Zero,
            Heartbeat: perp.Heartbeat, FundingInterval: perp.FundingInterval, FundingRateWad: perp.FundingRateWad,
            TradeFeePips: perp.TradeFeePips, InitialMarginPips: perp.InitialMarginPips,
            MaintenanceMarginPips: perp.MaintenanceMarginPips, LiquidationPenaltyPips: perp.LiquidationPenaltyPips));
        await Quote.MintAsync(Owner, market.Address, QuoteUnits(perp.MarketQuote));
        await Quote.MintAsync(Owner, Vault.Address, QuoteUnits(perp.VaultQuote));
        await Vault.SetHedgePolicyAsync(Owner, pool.Address, new TreasuryVault.HedgePolicy(market.Address, QuoteUnits(perp.MaxHedgeNotional), perp.MinHedgeMarginRatioPips));
        return market;
    }

    /// <summary>Heartbeat 1 h, TWAP window 600 s, ±2% deviation and skew, fee 0.05%–1%, width 1%–1000%, interval 60 s, base share 10%–90%.</summary>
    public static TreasuryVault.PolicyParams DefaultPolicy(Address priceFeed, Address volatilityFeed) => new(
        PriceFeed: priceFeed, VolatilityFeed: volatilityFeed, Heartbeat: 3600, TwapWindow: 600,
        MaxTwapDeviationBps: 200, MaxSkewBps: 200, MinFeePips: 500, MaxFeePips: 10_000,
        MinWidthBps: 100, MaxWidthBps: 100_000, MinRebalanceInterval: 60,
        MinBaseShareBps: 1000, MaxBaseShareBps: 9000);

    public BigInteger BaseUnits(decimal amount) => ToUnits(amount, Settings.BaseDecimals);
    public BigInteger QuoteUnits(decimal amount) => ToUnits(amount, Settings.QuoteDecimals);

    private static BigInteger ToUnits(decimal amount, int decimals) =>
        Ethereum.Encoding.Units.Parse(amount.ToString(CultureInfo.InvariantCulture), decimals);

    /// <summary>√(price · 10^(quoteDecimals − baseDecimals)) · 2^96, floored: the pool's price of a base unit in quote units.</summary>
    public BigInteger SqrtPriceX96(decimal humanPrice) => SqrtPriceX96(humanPrice, Settings.BaseDecimals, Settings.QuoteDecimals);

    public static BigInteger SqrtPriceX96(decimal humanPrice, int baseDecimals, int quoteDecimals)
    {
        // price as a fraction num/den of integers, scaled by the decimals difference, then ⌊√(num·2^192/den)⌋.
        var bits = decimal.GetBits(humanPrice);
        var scale = (bits[3] >> 16) & 0xFF;
        var num = new BigInteger(decimal.Truncate(humanPrice * (decimal)Math.Pow(10, scale)));
        var den = BigInteger.Pow(10, scale);
        if (quoteDecimals >= baseDecimals) num *= BigInteger.Pow(10, quoteDecimals - baseDecimals);
        else den *= BigInteger.Pow(10, baseDecimals - quoteDecimals);
        return Sqrt((num << 192) / den);
    }

    public static BigInteger Sqrt(BigInteger n)
    {
        if (n.Sign < 0) throw new ArgumentOutOfRangeException(nameof(n));
        if (n < 2) return n;
        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2);
        while (true)
        {
            var y = (x + n / x) >> 1;
            if (y >= x) return x;
            x = y;
        }
    }

    // ---- chain time ----

    public async Task<long> LatestTimestampAsync() => (await Eth.GetBlockAsync()).Timestamp.ToUnixTimeSeconds();

    /// <summary>Moves chain time forward by <paramref name="seconds"/> and mines a block.</summary>
    public async Task IncreaseTimeAsync(long seconds)
    {
        await Rpc.CallAsync("evm_increaseTime", [seconds]);
        await Rpc.CallAsync("evm_mine");
    }

    /// <summary>Sets the next block's timestamp to latest + <paramref name="seconds"/> and returns it.</summary>
    public async Task<long> SetNextBlockTimestampAsync(long seconds)
    {
        var next = await LatestTimestampAsync() + seconds;
        await Rpc.CallAsync("evm_setNextBlockTimestamp", [next]);
        return next;
    }

    /// <summary>The index of the oldest initialised observation at or after <paramref name="target"/> (the keeper's hint), or 65535 for none.</summary>
    public async Task<int> ObservationHintAsync(long target)
    {
        var state = await Pool.GetStateAsync();
        var best = NoObservationHint;
        var bestTimestamp = long.MaxValue;
        for (var i = 0; i < (int)state.ObservationCardinality; i++)
        {
            var o = await Pool.ObservationsAsync(i);
            var ts = (long)o.BlockTimestamp;
            if (o.Initialized && ts >= target && ts < bestTimestamp) { best = i; bestTimestamp = ts; }
        }
        return best;
    }

    public Task<ContractReceipt> SwapAsync(bool zeroForOne, BigInteger amountIn, BigInteger? minOut = null, AccountSender? trader = null, ManagedPool? pool = null) =>
        (pool ?? Pool).SwapExactInAsync(trader ?? Trader, zeroForOne, amountIn, minOut ?? 0, (trader ?? Trader).Address, Deadline);
}
