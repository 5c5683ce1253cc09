// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {ITreasuryVault} from "./interfaces/ITreasuryVault.sol";
import {IUniswapV3PositionManager} from "./interfaces/IUniswapV3PositionManager.sol";
import {IUniswapV3PositionManagerSync} from "./interfaces/IUniswapV3PositionManagerSync.sol";
import {
    IUniswapV3FactoryMinimal,
    IUniswapV3PoolMinimal,
    IUniswapV3MintCallback,
    IUniswapV3SwapCallback
} from "./interfaces/uniswap/IUniswapV3.sol";
import {FullMath} from "./libraries/FullMath.sol";
import {GuardMath} from "./libraries/GuardMath.sol";
import {TickMath} from "./libraries/TickMath.sol";
import {UniswapV3PoolCalls} from "./libraries/UniswapV3PoolCalls.sol";
import {TreasuryVault} from "./TreasuryVault.sol";

/// @title UniswapV3PositionManager
/// @notice The vault's positions in Uniswap v3 pools (issue 14): one position per registered pool, held by this
/// contract, re-ranged by a keeper only inside the owner's policy — the ManagedPool path's guards, checked on-chain the
/// same way. Roles and pause are the vault's: owner = vault.owner() (policy, funds) and guardian = vault.isGuardian
/// (emergency withdrawal while the vault is paused) are read from it on each call; the keeper role (rebalance) and the
/// pause (stops rebalances) are pushed by the vault to its registered manager (TreasuryVault.setPositionManager) in the
/// same transaction as its own change — setKeeper, pause, unpause — and accepted only from it (NotVault): the vault is
/// the one source of truth, this contract the copy its rebalance reads (the pause in each pool's policy word, which the
/// rebalance reads anyway). Before it is registered the manager has no keeper; keepers granted before must be granted
/// again. A retired manager (the vault registered another) stays paused. The vault's bounds (TreasuryVault's
/// constants) apply to every policy value.
/// @dev Guard formulas (GuardMath holds the vault's; the C# guard mirror follows them):
///  - oracle: the price feed (and the volatility feed when set and not written with it, GuardMath.writtenTogether)
///    fresh within the heartbeat, not in the future, > 0;
///    priceX128 as the vault's (answer scaled by 10^priceScaleExp, Q128.128).
///  - interval: block.timestamp >= lastRebalanceTime + minRebalanceInterval (after the first rebalance).
///  - range: tickLower < tickUpper, both multiples of the pool's tick spacing in [MIN_TICK, MAX_TICK]; with sa, sb
///    their sqrt prices, width = GuardMath.deviationBps(sb, sa) in [minWidthBps, maxWidthBps]; the centre c =
///    floor(sqrt(sa * sb)) (the range's geometric middle) has skew = GuardMath.skewBps(c, priceX128) <= maxSkewBps.
///  - TWAP: the pool's tick cumulatives twapWindow ago and now, equal to its observe([twapWindow, 0]) (Uniswap's
///    observeSingle), read directly: slot0 (tick, newest index, cardinality) and the newest observation give now (the
///    newest transformed with slot0's tick) and, when the window starts at or after the newest, the start too; before it,
///    the keeper's hint (RangeTarget.observationHint) names the observation the start interpolates from, or one up to
///    MAX_HINT_STEPS (8) observations before it (the rebalance walks forward, for a transaction that lands later than
///    planned): it must be initialized and at or before the start, and the walk must reach, through initialized
///    observations, the one after which the start lies, before <= start < after (else InvalidObservationHint);
///    no hint (type(uint16).max): the pool's observe. twapTick = floor((now - start) / twapWindow) (toward -inf);
///    GuardMath.skewBps(sqrtRatioAtTick(twapTick), priceX128) <= maxTwapDeviationBps (TwapTickDeviation).
///  - swap (optional, after collect and burn): input <= the pool's holdings of that token; price limit = the sqrt of
///    priceX128 * (1e4 -/+ maxSwapSlippageBps) / 1e4 (against the vault); output valued at the oracle >= (1 -
///    maxSwapSlippageBps/1e4) of the input (SwapSlippage); the base share must end on the side of the target it
///    started on or at it: selling token0 leaves share >= target, buying it leaves share <= target (SwapPastTarget).
///  - spot: before the mint, GuardMath.skewBps(slot0.sqrtPriceX96, priceX128) <= maxTwapDeviationBps
///    (SpotPriceDeviation), so a sandwich cannot make the mint buy the range at a manipulated price. slot0 as the TWAP
///    read it (burn and collect do not move the price), read again after a swap.
///  - inventory, skew direction, loss budget: as the vault's, on the pool's holdings (idle + collected, after the swap)
///    at the oracle: share in [minBaseShareBps, maxBaseShareBps] unless allowInventoryRecovery, the skew toward the
///    target share, and the loss window (LOSS_WINDOW, maxLossBps of the start holdings' value at today's oracle).
///  - mint: the largest liquidity the holdings fund at the spot (Uniswap's liquidity-for-amounts); the rest stays idle.
///  - burn: the liquidity the pool records for this contract on the stored range (positions(key)), so liquidity anyone
///    else minted for this contract there is burned and collected into the holdings too (and counts like the rest).
/// rebalance order: keeper (pushed), pause (pushed), registered, interval, price feed, volatility feed, range/width, skew, TWAP (hint),
/// [burn, collect, swap and its bounds], spot, inventory, skew direction, loss, [mint]. All-or-nothing.
contract UniswapV3PositionManager is IUniswapV3PositionManager, IUniswapV3MintCallback, IUniswapV3SwapCallback, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Most pools one manager holds (the vault's own limit).
    uint256 public constant MAX_POOLS = 16;

    /// @dev The pool a rebalance is acting on (transient): the only caller its callbacks accept.
    /// keccak256("treasury.UniswapV3PositionManager.activePool") (a literal: inline assembly takes only number constants).
    uint256 private constant ACTIVE_POOL_SLOT = 0xfe9034a28a360e5bf5ed4bc63f305c6ea1691aac28a9e903eeda8d4f9d4603f2;
    uint256 private constant HOLDING_BITS = 112;
    uint256 private constant HOLDING_MASK = (1 << 112) - 1;
    uint256 private constant WINDOW_START_SHIFT = 224;
    uint256 private constant NO_LOSS_WINDOW = 1;
    /// @dev RangeTarget.observationHint's "none": the pool's observe searches its ring.
    uint16 private constant NO_OBSERVATION_HINT = type(uint16).max;
    /// @dev How many observations the window's start may lie past the hinted one (the rebalance walks forward to it).
    uint256 private constant MAX_HINT_STEPS = 8;

    /// @dev Read by every rebalance: one word. The field widths hold the policy's bounds (heartbeat <= 7 days,
    /// twapWindow <= 30 minutes). paused: the vault's pause as pushed (the same in every pool's word).
    struct Config {
        AggregatorV3Interface priceFeed;
        uint24 heartbeat;
        bool paused;
        uint16 twapWindow;
        uint16 maxSkewBps;
        int8 priceScaleExp;
        bool registered;
        bool readsVolatilityFeed; // as the vault's: a volatility feed not written with the price feed
        bool allowInventoryRecovery;
    }

    /// @dev Read and written by every rebalance: one word. The policy's bounds (widths <= 10,000,000 bps and the
    /// interval <= 7 days fit 24 bits), then the position's range and the last rebalance's time. The position's
    /// liquidity is not stored here: it is the pool's own record of it, positions(key(this, tickLower, tickUpper)),
    /// read by the rebalance before its burn (which then finds those slots warm). No position: tickLower == tickUpper.
    struct BoundsAndRange {
        uint16 maxTwapDeviationBps;
        uint24 minWidthBps;
        uint24 maxWidthBps;
        uint24 minRebalanceInterval;
        uint16 minBaseShareBps;
        uint16 maxBaseShareBps;
        uint16 maxLossBps;
        uint16 maxSwapSlippageBps;
        int24 tickSpacing;
        int24 tickLower;
        int24 tickUpper;
        uint32 lastRebalanceTime;
    }

    /// @dev The idle holdings (one word, written by every rebalance).
    struct Holdings {
        uint128 idle0;
        uint128 idle1;
    }

    struct PoolState {
        Config config;
        BoundsAndRange bounds;
        Holdings holdings;
    }

    /// @dev A rebalance's working values (memory: the stack cannot hold them all).
    struct Step {
        uint256 oraclePrice;
        int256 skew;
        int24 twapTick;
        uint160 sqrtLower;
        uint160 sqrtUpper;
        uint160 spot;
        uint256 total0;
        uint256 total1;
        uint256 share;
        uint256 value;
        int256 swap0;
        int256 swap1;
    }

    /// @inheritdoc IUniswapV3PositionManager
    address public immutable override vault;
    /// @inheritdoc IUniswapV3PositionManager
    address public immutable override factory;

    mapping(address => PoolState) private _states;
    mapping(address => UniswapV3Policy) private _policies;
    mapping(address => AggregatorV3Interface) private _volatilityFeeds;
    /// @dev As the vault's: start holding0 (bits 0..111) | holding1 (112..223) | start time (224..255); NO_LOSS_WINDOW = none.
    mapping(address => uint256) private _lossWindows;
    address[] private _pools;
    /// @dev The keeper role as the vault pushes it (syncKeeper).
    mapping(address => bool) private _keepers;
    /// @dev The vault's pause as pushed (also in every pool's Config.paused); retired: another manager was registered.
    bool private _paused;
    bool private _retired;

    modifier onlyOwner() {
        if (msg.sender != Ownable(vault).owner()) revert OwnableUnauthorizedAccount(msg.sender);
        _;
    }

    modifier registeredPool(address pool) {
        if (!_states[pool].config.registered) revert UnknownPool(pool);
        _;
    }

    /// @param vault_ The TreasuryVault whose roles and pause govern this manager.
    /// @param factory_ The Uniswap v3 factory whose pools may be registered.
    constructor(address vault_, address factory_) {
        if (vault_ == address(0) || factory_ == address(0)) revert ZeroAddress();
        vault = vault_;
        factory = factory_;
    }

    // ------------------------------------------------------------------ vault

    /// @inheritdoc IUniswapV3PositionManagerSync
    function syncKeeper(address account, bool enabled) external override {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _keepers[account] = enabled;
    }

    /// @inheritdoc IUniswapV3PositionManagerSync
    function syncPaused(bool value) external override {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _setPaused(value || _retired);
    }

    /// @inheritdoc IUniswapV3PositionManagerSync
    function retire() external override {
        if (msg.sender != vault) revert NotVault(msg.sender);
        _retired = true;
        _setPaused(true);
    }

    function _setPaused(bool value) private {
        _paused = value;
        uint256 n = _pools.length;
        for (uint256 i; i < n; ++i) {
            _states[_pools[i]].config.paused = value;
        }
    }

    // ------------------------------------------------------------------ owner

    /// @inheritdoc IUniswapV3PositionManager
    function registerPool(address pool, UniswapV3Policy calldata policy) external override onlyOwner {
        if (pool == address(0)) revert ZeroAddress();
        PoolState storage s = _states[pool];
        if (s.config.registered) revert PoolAlreadyRegistered(pool);
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(pool);
        (address token0, address token1, uint24 fee) = (p.token0(), p.token1(), p.fee());
        address factoryPool = IUniswapV3FactoryMinimal(factory).getPool(token0, token1, fee);
        if (factoryPool != pool) revert NotFactoryPool(pool, factoryPool);
        if (_pools.length >= MAX_POOLS) revert TooManyPools();
        _pools.push(pool);
        s.config.registered = true;
        s.bounds.tickSpacing = p.tickSpacing();
        _lossWindows[pool] = NO_LOSS_WINDOW;
        emit PoolRegistered(pool, token0, token1, fee);
        _setPolicy(pool, policy);
    }

    /// @inheritdoc IUniswapV3PositionManager
    function setPolicy(address pool, UniswapV3Policy calldata policy) external override onlyOwner registeredPool(pool) {
        _setPolicy(pool, policy);
    }

    /// @inheritdoc IUniswapV3PositionManager
    function resetLossWindow(address pool) external override onlyOwner registeredPool(pool) {
        _lossWindows[pool] = NO_LOSS_WINDOW;
        emit LossWindowReset(pool);
    }

    function _setPolicy(address pool, UniswapV3Policy calldata policy) private {
        PolicyParams calldata q = policy.params;
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(pool);
        // feeds: the price feed's scale into pool units, as the vault's _setFeeds
        if (address(q.priceFeed) == address(0)) revert ZeroAddress();
        uint8 feedDecimals = q.priceFeed.decimals();
        if (feedDecimals > TreasuryVault(vault).MAX_FEED_DECIMALS()) {
            revert PolicyOutOfBounds(PolicyParam.Feeds, feedDecimals, 0, 36);
        }
        int256 exp = int256(uint256(IERC20Metadata(p.token1()).decimals()))
            - int256(uint256(IERC20Metadata(p.token0()).decimals())) - int256(uint256(feedDecimals));
        if (exp < -76 || exp > 38) revert PolicyOutOfBounds(PolicyParam.Feeds, feedDecimals, 0, 36);
        _check(PolicyParam.Heartbeat, q.heartbeat, 30, 7 days);
        _check(PolicyParam.TwapWindow, q.twapWindow, 10, 30 minutes);
        _check(PolicyParam.MaxTwapDeviation, q.maxTwapDeviationBps, 1, 2000);
        _check(PolicyParam.MaxSkew, q.maxSkewBps, 1, 2000);
        if (q.minFeePips > q.maxFeePips) revert InvalidPolicyRange(PolicyParam.FeeBounds, q.minFeePips, q.maxFeePips);
        _check(PolicyParam.FeeBounds, q.maxFeePips, 0, 100_000);
        uint24 fee = p.fee();
        if (fee < q.minFeePips || fee > q.maxFeePips) revert FeeOutOfBounds(fee, q.minFeePips, q.maxFeePips);
        if (q.minWidthBps > q.maxWidthBps) revert InvalidPolicyRange(PolicyParam.WidthBounds, q.minWidthBps, q.maxWidthBps);
        _check(PolicyParam.WidthBounds, q.minWidthBps, 1, 10_000_000);
        _check(PolicyParam.WidthBounds, q.maxWidthBps, 1, 10_000_000);
        _check(PolicyParam.MinRebalanceInterval, q.minRebalanceInterval, 60, 7 days);
        if (q.minBaseShareBps > q.maxBaseShareBps) {
            revert InvalidPolicyRange(PolicyParam.InventoryBounds, q.minBaseShareBps, q.maxBaseShareBps);
        }
        _check(PolicyParam.InventoryBounds, q.maxBaseShareBps, 0, 10_000);
        _check(PolicyParam.MaxLoss, policy.maxLossBps, 1, 1000);
        _check(PolicyParam.SwapSlippage, policy.maxSwapSlippageBps, 1, 2000);

        PoolState storage s = _states[pool];
        s.config = Config({
            priceFeed: q.priceFeed,
            heartbeat: uint24(q.heartbeat),
            paused: _paused,
            twapWindow: uint16(q.twapWindow),
            maxSkewBps: q.maxSkewBps,
            priceScaleExp: int8(exp),
            registered: true,
            readsVolatilityFeed: address(q.volatilityFeed) != address(0)
                && !GuardMath.writtenTogether(address(q.priceFeed), address(q.volatilityFeed)),
            allowInventoryRecovery: policy.allowInventoryRecovery
        });
        BoundsAndRange storage b = s.bounds;
        b.maxTwapDeviationBps = q.maxTwapDeviationBps;
        b.minWidthBps = uint24(q.minWidthBps);
        b.maxWidthBps = uint24(q.maxWidthBps);
        b.minRebalanceInterval = uint24(q.minRebalanceInterval);
        b.minBaseShareBps = q.minBaseShareBps;
        b.maxBaseShareBps = q.maxBaseShareBps;
        b.maxLossBps = policy.maxLossBps;
        b.maxSwapSlippageBps = policy.maxSwapSlippageBps;
        _volatilityFeeds[pool] = q.volatilityFeed;
        _policies[pool] = policy;
        // the vault's ring rule: one observation per OBSERVATION_SPACING (12 s) reaches back one window
        p.increaseObservationCardinalityNext(uint16((q.twapWindow + 11) / 12 + 2));
        emit PolicySet(pool, policy);
    }

    function _check(PolicyParam param, uint256 v, uint256 lo, uint256 hi) private pure {
        if (v < lo || v > hi) revert PolicyOutOfBounds(param, v, lo, hi);
    }

    /// @inheritdoc IUniswapV3PositionManager
    function deposit(address pool, uint256 amount0, uint256 amount1)
        external
        override
        onlyOwner
        nonReentrant
        registeredPool(pool)
    {
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(pool);
        Holdings storage h = _states[pool].holdings;
        uint256 idle0 = h.idle0 + amount0;
        uint256 idle1 = h.idle1 + amount1;
        if (idle0 > type(uint128).max || idle1 > type(uint128).max) revert ReserveOverflow();
        if (amount0 != 0) IERC20(p.token0()).safeTransferFrom(msg.sender, address(this), amount0);
        if (amount1 != 0) IERC20(p.token1()).safeTransferFrom(msg.sender, address(this), amount1);
        (h.idle0, h.idle1) = (uint128(idle0), uint128(idle1));
        _adjustLossWindow(pool, amount0, amount1, true);
        emit Deposited(pool, amount0, amount1);
    }

    /// @inheritdoc IUniswapV3PositionManager
    function withdraw(address pool, uint256 amount0, uint256 amount1, address to)
        external
        override
        onlyOwner
        nonReentrant
        registeredPool(pool)
    {
        if (to == address(0)) revert ZeroAddress();
        PoolState storage s = _states[pool];
        if (amount0 > s.holdings.idle0 || amount1 > s.holdings.idle1) _burnAll(pool, s);
        Holdings memory h = s.holdings;
        if (amount0 > h.idle0 || amount1 > h.idle1) revert InsufficientHoldings(amount0, amount1, h.idle0, h.idle1);
        unchecked {
            (s.holdings.idle0, s.holdings.idle1) = (uint128(h.idle0 - amount0), uint128(h.idle1 - amount1));
        }
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(pool);
        if (amount0 != 0) IERC20(p.token0()).safeTransfer(to, amount0);
        if (amount1 != 0) IERC20(p.token1()).safeTransfer(to, amount1);
        _adjustLossWindow(pool, amount0, amount1, false);
        emit Withdrawn(pool, to, amount0, amount1);
    }

    // ------------------------------------------------------------------ guardian

    /// @inheritdoc IUniswapV3PositionManager
    function emergencyWithdraw(address pool)
        external
        override
        nonReentrant
        registeredPool(pool)
        returns (uint256 amount0, uint256 amount1)
    {
        address to = Ownable(vault).owner();
        if (msg.sender != to && !ITreasuryVault(vault).isGuardian(msg.sender)) revert NotGuardianOrOwner(msg.sender);
        if (!Pausable(vault).paused()) revert ExpectedPause();
        PoolState storage s = _states[pool];
        _burnAll(pool, s);
        (amount0, amount1) = (s.holdings.idle0, s.holdings.idle1);
        delete s.holdings;
        _lossWindows[pool] = NO_LOSS_WINDOW;
        IUniswapV3PoolMinimal p = IUniswapV3PoolMinimal(pool);
        if (amount0 != 0) IERC20(p.token0()).safeTransfer(to, amount0);
        if (amount1 != 0) IERC20(p.token1()).safeTransfer(to, amount1);
        emit EmergencyWithdrawn(pool, to, amount0, amount1);
    }

    /// @dev Burns the whole position and collects its tokens and fees into the pool's idle holdings; no position after.
    function _burnAll(address pool, PoolState storage s) private {
        BoundsAndRange storage b = s.bounds;
        (int24 tickLower, int24 tickUpper) = (b.tickLower, b.tickUpper);
        if (tickLower == tickUpper) return;
        (uint256 c0, uint256 c1) = _burnAndCollect(pool, tickLower, tickUpper);
        Holdings memory h = s.holdings;
        s.holdings = Holdings(uint128(h.idle0 + c0), uint128(h.idle1 + c1));
        (b.tickLower, b.tickUpper) = (0, 0);
    }

    /// @dev Burns the liquidity the pool records for this contract on [tickLower, tickUpper] and collects everything
    /// the position is owed (tokens and fees); nothing when there is no position or it holds no liquidity.
    function _burnAndCollect(address pool, int24 tickLower, int24 tickUpper) private returns (uint256 c0, uint256 c1) {
        if (tickLower == tickUpper) return (0, 0);
        uint128 liquidity = UniswapV3PoolCalls.positionLiquidity(pool, tickLower, tickUpper);
        if (liquidity == 0) return (0, 0);
        UniswapV3PoolCalls.burn(pool, tickLower, tickUpper, liquidity);
        (c0, c1) = UniswapV3PoolCalls.collectAll(pool, tickLower, tickUpper);
    }

    // ------------------------------------------------------------------ keeper

    /// @inheritdoc IUniswapV3PositionManager
    function rebalance(address pool, RangeTarget calldata target)
        external
        override
        nonReentrant
        returns (uint128 liquidity)
    {
        if (!_keepers[msg.sender]) revert NotKeeper(msg.sender);
        PoolState storage s = _states[pool];
        Config memory c = s.config;
        // the pause from the pool's own word (every registered pool's holds it); an unknown pool's word is empty
        if (c.paused) revert EnforcedPause();
        if (!c.registered) {
            if (_paused) revert EnforcedPause();
            revert UnknownPool(pool);
        }
        BoundsAndRange memory b = s.bounds;
        if (b.lastRebalanceTime != 0) {
            uint256 nextAllowed = uint256(b.lastRebalanceTime) + b.minRebalanceInterval;
            if (block.timestamp < nextAllowed) revert RebalanceTooSoon(nextAllowed);
        }
        Step memory x;
        x.oraclePrice = _oraclePrice(pool, c, c.readsVolatilityFeed);
        _checkRange(target, c, b, x);
        _checkTwap(pool, c.twapWindow, b.maxTwapDeviationBps, target.observationHint, x);

        liquidity = _reposition(pool, s, target, c, b, x);
        emit Rebalanced(pool, msg.sender, x.oraclePrice, x.twapTick, x.skew, liquidity);
    }

    /// @dev Collect and burn, the bounded swap, the holdings' guards, the mint; records the position and holdings.
    function _reposition(
        address pool,
        PoolState storage s,
        RangeTarget calldata target,
        Config memory c,
        BoundsAndRange memory b,
        Step memory x
    ) private returns (uint128 liquidity) {
        assembly ("memory-safe") {
            tstore(ACTIVE_POOL_SLOT, pool)
        }
        Holdings memory h = s.holdings;
        (uint256 c0, uint256 c1) = _burnAndCollect(pool, b.tickLower, b.tickUpper);
        (x.total0, x.total1) = (h.idle0 + c0, h.idle1 + c1);
        (x.share, x.value) = GuardMath.shareBps(x.total0, x.total1, x.oraclePrice);
        // the spot: slot0 as the TWAP read it (burn and collect do not move the price), read again after a swap
        if (target.swapAmountIn != 0) {
            _swap(pool, target, b, x);
            x.spot = UniswapV3PoolCalls.sqrtPriceX96(pool);
        }
        uint256 spotDeviation = GuardMath.skewBps(x.spot, x.oraclePrice);
        if (spotDeviation > b.maxTwapDeviationBps) {
            revert SpotPriceDeviation(x.spot, x.oraclePrice, spotDeviation, b.maxTwapDeviationBps);
        }
        if ((x.share < b.minBaseShareBps || x.share > b.maxBaseShareBps) && !c.allowInventoryRecovery) {
            revert InventoryOutOfBounds(x.share, b.minBaseShareBps, b.maxBaseShareBps);
        }
        // a range on the pool's tick grid centres within half a spacing of the oracle at best: that much skew passes either way
        GuardMath.checkSkewDirection(
            b.minBaseShareBps, b.maxBaseShareBps, c.maxSkewBps, x.share, x.skew, GuardMath.gridSkewToleranceBps(b.tickSpacing)
        );
        _checkLoss(pool, b.maxLossBps, x);

        liquidity = _liquidityForAmounts(x);
        uint256 paid0;
        uint256 paid1;
        (int24 lower, int24 upper) = (target.tickLower, target.tickUpper);
        if (liquidity != 0) (paid0, paid1) = UniswapV3PoolCalls.mint(pool, lower, upper, liquidity);
        assembly ("memory-safe") {
            tstore(ACTIVE_POOL_SLOT, 0)
        }
        BoundsAndRange storage range = s.bounds;
        (range.tickLower, range.tickUpper, range.lastRebalanceTime) = (lower, upper, uint32(block.timestamp));
        s.holdings = Holdings(uint128(x.total0 - paid0), uint128(x.total1 - paid1));
    }

    /// @dev The price feed (and the volatility feed when the rebalance reads it): fresh, not in the future, > 0; the
    /// price in Q128.128.
    function _oraclePrice(address pool, Config memory c, bool readsVolatilityFeed) private view returns (uint256) {
        int256 answer = GuardMath.readFeed(c.priceFeed, c.heartbeat);
        if (answer <= 0) revert NonPositivePrice(answer);
        if (readsVolatilityFeed) {
            int256 vol = GuardMath.readFeed(_volatilityFeeds[pool], c.heartbeat);
            if (vol <= 0) revert NonPositiveVolatility(vol);
        }
        return GuardMath.toPriceX128(answer, c.priceScaleExp);
    }

    /// @dev Ticks, width and the centre's skew; fills x.sqrtLower, x.sqrtUpper, x.skew.
    function _checkRange(RangeTarget calldata t, Config memory c, BoundsAndRange memory b, Step memory x) private pure {
        (int24 lower, int24 upper, int24 spacing) = (t.tickLower, t.tickUpper, b.tickSpacing);
        if (
            lower >= upper || lower < TickMath.MIN_TICK || upper > TickMath.MAX_TICK || lower % spacing != 0
                || upper % spacing != 0
        ) revert InvalidTickRange(lower, upper, spacing);
        uint160 sqrtLower = TickMath.getSqrtRatioAtTick(lower);
        uint160 sqrtUpper = TickMath.getSqrtRatioAtTick(upper);
        (x.sqrtLower, x.sqrtUpper) = (sqrtLower, sqrtUpper);
        uint256 width = GuardMath.deviationBps(sqrtUpper, sqrtLower);
        if (width < b.minWidthBps || width > b.maxWidthBps) revert WidthOutOfBounds(width, b.minWidthBps, b.maxWidthBps);
        uint256 oraclePrice = x.oraclePrice;
        uint256 centre = Math.sqrt(uint256(sqrtLower) * sqrtUpper);
        if (centre > type(uint128).max) revert SkewTooLarge(centre, oraclePrice, type(uint256).max, c.maxSkewBps);
        uint256 skew = GuardMath.skewBps(centre, oraclePrice);
        if (skew > c.maxSkewBps) revert SkewTooLarge(centre, oraclePrice, skew, c.maxSkewBps);
        x.skew = GuardMath.above(centre, oraclePrice) ? int256(skew) : -int256(skew);
    }

    /// @dev The pool's mean tick over the window (as observe([window, 0]) gives it) against the oracle; fills x.twapTick
    /// and x.spot (slot0's price, read here once).
    function _checkTwap(address pool, uint32 window, uint16 maxBps, uint16 hint, Step memory x) private view {
        (int56 then, int56 current) = _tickCumulatives(pool, window, hint, x);
        int56 delta = current - then;
        int56 tick = delta / int56(uint56(window));
        if (delta < 0 && delta % int56(uint56(window)) != 0) tick--;
        x.twapTick = int24(tick);
        uint256 deviation = GuardMath.skewBps(TickMath.getSqrtRatioAtTick(x.twapTick), x.oraclePrice);
        if (deviation > maxBps) revert TwapTickDeviation(x.twapTick, x.oraclePrice, deviation, maxBps);
    }

    /// @dev The tick cumulatives `window` seconds ago and now, equal to the pool's observe([window, 0]) (Uniswap's
    /// Oracle.observeSingle) from direct reads: slot0 (price, tick, newest index, cardinality) and the newest
    /// observation; now = the newest transformed to the block time with slot0's tick. The window's start `target` at or
    /// after the newest observation is the same transform (no further read). Before it: the hinted observation, at or
    /// before the target, and the successors walked forward from it (at most MAX_HINT_STEPS past it; the newest's values
    /// when the successor is the newest) until one is after the target; each initialized, at <= target < after
    /// (InvalidObservationHint); it is interpolated as observeSingle does: before + (after - before) / (tAfter -
    /// tBefore) * (target - tBefore), the division truncated toward zero. No hint (type(uint16).max): observe itself.
    /// Block times below 2^32 (Uniswap's own uint32 time; its wrap-around comparison is the plain one until 2106). The
    /// pool is initialized (cardinality >= 1): registration grew its ring, which Uniswap's lock allows only after initialize.
    function _tickCumulatives(address pool, uint32 window, uint16 hint, Step memory x)
        private
        view
        returns (int56 then, int56 current)
    {
        (uint160 price, int24 tick, uint16 index, uint16 cardinality) = UniswapV3PoolCalls.slot0(pool);
        x.spot = price;
        (uint32 newestTime, int56 newest,) = UniswapV3PoolCalls.observation(pool, index);
        uint32 time = uint32(block.timestamp);
        uint32 target = time - window;
        unchecked {
            // |tick| <= 887272 over < 2^32 s: the cumulatives stay far inside int56, as Uniswap's own
            current = newest + int56(tick) * int56(uint56(time - newestTime));
            if (target >= newestTime) return (newest + int56(tick) * int56(uint56(target - newestTime)), current);
        }
        if (hint == NO_OBSERVATION_HINT) return UniswapV3PoolCalls.tickCumulatives(pool, window);
        if (hint >= cardinality) revert InvalidObservationHint(hint, target);
        (uint32 beforeTime, int56 before, bool initialized) = UniswapV3PoolCalls.observation(pool, hint);
        if (!initialized || beforeTime > target) revert InvalidObservationHint(hint, target);
        uint256 next = hint;
        uint32 afterTime;
        int56 afterCum;
        // walk forward from the hint while its successor is not after the start: a transaction that lands a block or
        // two later than the keeper planned moves the start past newer observations (a busy pool writes one a block)
        for (uint256 steps;; ++steps) {
            next = (next + 1) % cardinality;
            (afterTime, afterCum) = (newestTime, newest);
            if (next != index) {
                (afterTime, afterCum, initialized) = UniswapV3PoolCalls.observation(pool, next);
                if (!initialized) revert InvalidObservationHint(hint, target);
            }
            if (afterTime > target) break;
            // next == index cannot get here: the start is before the newest observation
            if (steps == MAX_HINT_STEPS) revert InvalidObservationHint(hint, target);
            (beforeTime, before) = (afterTime, afterCum);
        }
        unchecked {
            // beforeTime <= target < afterTime
            then = before
                + ((afterCum - before) / int56(uint56(afterTime - beforeTime))) * int56(uint56(target - beforeTime));
        }
    }

    /// @dev The bounded swap: holdings, the oracle-derived price limit, the minimum output, toward the target share.
    function _swap(address pool, RangeTarget calldata t, BoundsAndRange memory b, Step memory x) private {
        bool zeroForOne = t.zeroForOne;
        uint256 amountIn = t.swapAmountIn;
        uint256 holding = zeroForOne ? x.total0 : x.total1;
        if (amountIn > holding) revert SwapExceedsHoldings(amountIn, holding);
        uint256 slippage = b.maxSwapSlippageBps;
        uint256 limitPrice = FullMath.mulDiv(x.oraclePrice, zeroForOne ? 10_000 - slippage : 10_000 + slippage, 10_000);
        // sqrt(P * 2^128) = sqrt(P) * 2^64; * 2^32 = Q64.96, clamped inside Uniswap's open price interval
        uint256 limit = Math.sqrt(limitPrice) << 32;
        if (limit <= TickMath.MIN_SQRT_RATIO) limit = TickMath.MIN_SQRT_RATIO + 1;
        if (limit >= TickMath.MAX_SQRT_RATIO) limit = TickMath.MAX_SQRT_RATIO - 1;
        (x.swap0, x.swap1) = IUniswapV3PoolMinimal(pool).swap(
            address(this), zeroForOne, int256(amountIn), uint160(limit), ""
        );
        uint256 shareBefore = x.share;
        uint256 paid;
        uint256 received;
        uint256 minReceived;
        if (zeroForOne) {
            paid = uint256(x.swap0);
            received = uint256(-x.swap1);
            minReceived = FullMath.mulDiv(GuardMath.valueOf(paid, x.oraclePrice), 10_000 - slippage, 10_000);
            x.total0 -= paid;
            x.total1 += received;
        } else {
            paid = uint256(x.swap1);
            received = uint256(-x.swap0);
            minReceived = FullMath.mulDivRoundingUp(FullMath.mulDiv(paid, 10_000 - slippage, 10_000), 1 << 128, x.oraclePrice);
            x.total1 -= paid;
            x.total0 += received;
        }
        if (received < minReceived) revert SwapSlippage(zeroForOne, paid, received, minReceived);
        (x.share, x.value) = GuardMath.shareBps(x.total0, x.total1, x.oraclePrice);
        uint256 targetShare = (uint256(b.minBaseShareBps) + b.maxBaseShareBps) / 2;
        if (zeroForOne ? x.share < targetShare : x.share > targetShare) {
            revert SwapPastTarget(zeroForOne, shareBefore, x.share, targetShare);
        }
    }

    /// @dev The vault's loss budget on the pool's holdings at the oracle (see TreasuryVault._checkLoss).
    function _checkLoss(address pool, uint256 maxLossBps, Step memory x) private {
        uint256 w = _lossWindows[pool];
        unchecked {
            if (block.timestamp >= (w >> WINDOW_START_SHIFT) + 1 days) {
                if (x.total0 > HOLDING_MASK) revert PolicyOutOfBounds(PolicyParam.MaxLoss, x.total0, 0, HOLDING_MASK);
                if (x.total1 > HOLDING_MASK) revert PolicyOutOfBounds(PolicyParam.MaxLoss, x.total1, 0, HOLDING_MASK);
                _lossWindows[pool] = x.total0 | (x.total1 << HOLDING_BITS) | (block.timestamp << WINDOW_START_SHIFT);
                return;
            }
        }
        uint256 hold = GuardMath.valueOf(w & HOLDING_MASK, x.oraclePrice) + ((w >> HOLDING_BITS) & HOLDING_MASK);
        if (x.value < hold) {
            unchecked {
                uint256 loss = hold - x.value;
                uint256 budget = (hold * maxLossBps) / 10_000;
                if (loss > budget) revert LossBudgetExceeded(pool, loss, budget);
            }
        }
    }

    /// @dev Moves the loss window's start holdings by a deposit (add) or withdrawal, as the vault's.
    function _adjustLossWindow(address pool, uint256 amount0, uint256 amount1, bool add) private {
        uint256 w = _lossWindows[pool];
        if (w >> WINDOW_START_SHIFT == 0) return;
        uint256 h0 = w & HOLDING_MASK;
        uint256 h1 = (w >> HOLDING_BITS) & HOLDING_MASK;
        if (add) {
            h0 += amount0;
            h1 += amount1;
        } else {
            h0 = h0 > amount0 ? h0 - amount0 : 0;
            h1 = h1 > amount1 ? h1 - amount1 : 0;
        }
        _lossWindows[pool] = h0 > HOLDING_MASK || h1 > HOLDING_MASK
            ? NO_LOSS_WINDOW
            : h0 | (h1 << HOLDING_BITS) | ((w >> WINDOW_START_SHIFT) << WINDOW_START_SHIFT);
    }

    /// @dev The largest liquidity the holdings fund on [sqrtLower, sqrtUpper] at the spot (Uniswap's
    /// liquidity-for-amounts: token0 alone below the range, token1 alone above it, the smaller of the two inside).
    function _liquidityForAmounts(Step memory x) private pure returns (uint128) {
        uint256 a = x.sqrtLower;
        uint256 b = x.sqrtUpper;
        uint256 p = x.spot;
        uint256 l;
        if (p <= a) {
            l = FullMath.mulDiv(x.total0, FullMath.mulDiv(a, b, GuardMath.Q96), b - a);
        } else if (p >= b) {
            l = FullMath.mulDiv(x.total1, GuardMath.Q96, b - a);
        } else {
            uint256 l0 = FullMath.mulDiv(x.total0, FullMath.mulDiv(p, b, GuardMath.Q96), b - p);
            uint256 l1 = FullMath.mulDiv(x.total1, GuardMath.Q96, p - a);
            l = l0 < l1 ? l0 : l1;
        }
        if (l > type(uint128).max) revert LiquidityOverflow(l);
        return uint128(l);
    }

    // ------------------------------------------------------------------ Uniswap callbacks

    /// @inheritdoc IUniswapV3MintCallback
    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external override {
        _pay(amount0Owed, amount1Owed);
    }

    /// @inheritdoc IUniswapV3SwapCallback
    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external override {
        _pay(amount0Delta > 0 ? uint256(amount0Delta) : 0, amount1Delta > 0 ? uint256(amount1Delta) : 0);
    }

    /// @dev Pays the pool being rebalanced (only it) from this contract's balance.
    function _pay(uint256 amount0, uint256 amount1) private {
        address active;
        assembly ("memory-safe") {
            active := tload(ACTIVE_POOL_SLOT)
        }
        if (msg.sender != active || active == address(0)) revert UnexpectedCallback(msg.sender);
        if (amount0 != 0) IERC20(IUniswapV3PoolMinimal(msg.sender).token0()).safeTransfer(msg.sender, amount0);
        if (amount1 != 0) IERC20(IUniswapV3PoolMinimal(msg.sender).token1()).safeTransfer(msg.sender, amount1);
    }

    // ------------------------------------------------------------------ state

    /// @inheritdoc IUniswapV3PositionManager
    function isKeeper(address account) external view override returns (bool) {
        return _keepers[account];
    }

    /// @inheritdoc IUniswapV3PositionManager
    function paused() external view override returns (bool) {
        return _paused;
    }

    /// @inheritdoc IUniswapV3PositionManager
    function pools() external view override returns (address[] memory) {
        return _pools;
    }

    /// @inheritdoc IUniswapV3PositionManager
    function policyOf(address pool) external view override returns (UniswapV3Policy memory) {
        return _policies[pool];
    }

    /// @inheritdoc IUniswapV3PositionManager
    function positionOf(address pool) external view override returns (PositionView memory v) {
        PoolState storage s = _states[pool];
        BoundsAndRange memory b = s.bounds;
        v.registered = s.config.registered;
        v.tickSpacing = b.tickSpacing;
        v.tickLower = b.tickLower;
        v.tickUpper = b.tickUpper;
        if (b.tickLower != b.tickUpper) v.liquidity = UniswapV3PoolCalls.positionLiquidity(pool, b.tickLower, b.tickUpper);
        v.idle0 = s.holdings.idle0;
        v.idle1 = s.holdings.idle1;
        v.lastRebalanceTime = b.lastRebalanceTime;
    }

    /// @inheritdoc IUniswapV3PositionManager
    function lossWindowOf(address pool) external view override returns (uint256 holding0, uint256 holding1, uint256 startTime) {
        uint256 w = _lossWindows[pool];
        startTime = w >> WINDOW_START_SHIFT;
        if (startTime != 0) (holding0, holding1) = (w & HOLDING_MASK, (w >> HOLDING_BITS) & HOLDING_MASK);
    }

    /// @inheritdoc IUniswapV3PositionManager
    function oraclePriceX128(address pool) external view override registeredPool(pool) returns (uint256) {
        PoolState storage s = _states[pool];
        return _oraclePrice(pool, s.config, false);
    }
}
