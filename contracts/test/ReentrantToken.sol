// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

import {MintableERC20} from "./MintableERC20.sol";

/// @title ReentrantToken
/// @notice Test token that, once armed, calls `target` with `data` from inside every transfer (mints and burns
/// exempt) — e.g. ManagedPool.swapExactIn — and bubbles the callee's revert data, so a test sees the pool's
/// ReentrancyGuardReentrantCall(). With `swallow` set, a failed re-entry is recorded instead of bubbled.
contract ReentrantToken is MintableERC20 {
    address public target;
    bytes public data;
    bool public armed;
    bool public swallow;
    /// @notice Revert data of the last swallowed re-entry.
    bytes public lastRevertData;
    /// @notice Number of re-entry attempts made.
    uint256 public attempts;

    bool private _inside;

    constructor(string memory name_, string memory symbol_, uint8 decimals_)
        MintableERC20(name_, symbol_, decimals_)
    {}

    /// @notice Arms the token: each transfer calls `target_` with `data_`.
    function arm(address target_, bytes calldata data_, bool swallow_) external {
        target = target_;
        data = data_;
        swallow = swallow_;
        armed = true;
    }

    function disarm() external {
        armed = false;
    }

    function _update(address from, address to, uint256 value) internal virtual override {
        super._update(from, to, value);
        if (!armed || _inside || from == address(0) || to == address(0)) return;
        _inside = true;
        attempts++;
        (bool ok, bytes memory ret) = target.call(data);
        _inside = false;
        if (!ok) {
            if (swallow) {
                lastRevertData = ret;
            } else {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
        }
    }
}
