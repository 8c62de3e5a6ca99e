// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockStablecoin} from "../../src/mocks/MockStablecoin.sol";
import {ModelRegistry} from "../../src/registry/ModelRegistry.sol";
import {ModelShare} from "../../src/registry/ModelShare.sol";
import {ModelParams, Pricing} from "../../src/registry/interfaces/IModelRegistry.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Deploys the foundation suite (mock stablecoin + registry) and names the actors every test uses.
abstract contract BaseTest is Test {
    /* CONSTANTS */

    /// @dev 1,000,000 shares with 18 decimals.
    uint256 internal constant SUPPLY = 1_000_000e18;
    /// @dev One stablecoin unit is 1e-6 USD.
    uint256 internal constant USDC = 1e6;
    /// @dev Seconds per block on mainnet, used for one-block holding.
    uint256 internal constant BLOCK_TIME = 12;
    /// @dev The shares' revenue stream period the suite is deployed with: the production default.
    uint256 internal constant STREAM_PERIOD = 1 days;

    /* ACTORS */

    address internal modelOwner = makeAddr("modelOwner");
    address internal payer = makeAddr("payer");
    address internal buyer = makeAddr("buyer");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal attacker = makeAddr("attacker");

    /* SUITE */

    MockStablecoin internal stablecoin;
    ModelRegistry internal registry;
    /// @dev Model 1, registered by `modelOwner` with `SUPPLY` shares.
    uint256 internal modelId;
    ModelShare internal share;
    uint256 internal period;

    function setUp() public virtual {
        stablecoin = new MockStablecoin();
        vm.label(address(stablecoin), "stablecoin");
        registry = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        vm.label(address(registry), "registry");
        vm.label(registry.shareImplementation(), "shareImplementation");

        address shareAddress;
        (modelId, shareAddress) = _registerModel(modelOwner, "base-model", SUPPLY);
        share = ModelShare(shareAddress);
        vm.label(shareAddress, "share");
        period = share.REVENUE_STREAM_PERIOD();
    }

    /* HELPERS */

    function _pricing(uint256 input, uint256 output, uint256 reasoning) internal pure returns (Pricing memory) {
        return Pricing(uint80(input), uint80(output), uint80(reasoning));
    }

    function _params(string memory name, uint256 supply) internal pure returns (ModelParams memory) {
        return ModelParams({
            name: name,
            metadataURI: string.concat("ipfs://", name),
            pricing: _pricing(1 * USDC, 3 * USDC, 5 * USDC),
            shareSupply: supply
        });
    }

    function _registerModel(address owner, string memory name, uint256 supply)
        internal
        returns (uint256 id, address shareAddress)
    {
        vm.prank(owner);
        (id, shareAddress) = registry.registerModel(_params(name, supply));
    }

    function _registerDerivative(address owner, uint256 parentId, uint256 royaltyBps)
        internal
        returns (uint256 id, address shareAddress)
    {
        vm.prank(owner);
        (id, shareAddress) = registry.registerDerivative(parentId, royaltyBps, _params("fine-tune", SUPPLY));
    }

    /// @dev `payer` mints `amount` stablecoin and deposits it as revenue of `share`.
    function _deposit(uint256 amount) internal {
        _depositInto(share, amount);
    }

    function _depositInto(ModelShare target, uint256 amount) internal {
        stablecoin.mint(payer, amount);
        vm.startPrank(payer);
        stablecoin.approve(address(target), amount);
        target.depositRevenue(amount);
        vm.stopPrank();
    }

    function _transferShares(address from, address to, uint256 amount) internal {
        vm.prank(from);
        share.transfer(to, amount);
    }

    function _claim(address holder) internal returns (uint256 paid) {
        vm.prank(holder);
        paid = share.claim(holder);
    }

    /// @dev Moves time forward by `seconds_` and the block number by the matching count of 12 s blocks.
    function _warp(uint256 seconds_) internal {
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + (seconds_ + BLOCK_TIME - 1) / BLOCK_TIME);
    }

    function _expectRevert(bytes4 selector) internal {
        vm.expectRevert(abi.encodeWithSelector(selector));
    }

    /// @dev Reference linear release: what the stream releases between `from` and `to` out of `pending` that
    /// ends at `end`, rounded down, as specified in IModelShare.
    function _releaseSlice(uint256 pending, uint256 from, uint256 to, uint256 end) internal pure returns (uint256) {
        if (to >= end) return pending;
        return pending * (to - from) / (end - from);
    }
}
