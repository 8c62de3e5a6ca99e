// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IModelShare} from "../registry/interfaces/IModelShare.sol";
import {CognitionPool} from "./CognitionPool.sol";
import {ICognitionPoolFactory} from "./interfaces/ICognitionPoolFactory.sol";

/// @title CognitionPoolFactory
/// @notice Deploys one CognitionPool per (model share, stablecoin, fee tier). See `ICognitionPoolFactory`.
contract CognitionPoolFactory is ICognitionPoolFactory {
    /// @inheritdoc ICognitionPoolFactory
    bytes32 public immutable POOL_INIT_CODE_HASH;

    // The pool's creation code is larger than this factory may be if it embedded it, so the constructor stores
    // it as the code of two data contracts (each behind a 0x00 byte so neither can start with 0xEF).
    address private immutable _codeChunk0;
    address private immutable _codeChunk1;
    uint256 private immutable _codeSize0;
    uint256 private immutable _codeSize1;

    /// @inheritdoc ICognitionPoolFactory
    mapping(address tokenA => mapping(address tokenB => mapping(uint24 fee => address pool))) public getPool;

    address private transient _token0;
    address private transient _token1;
    uint24 private transient _fee;
    int24 private transient _tickSpacing;
    bool private transient _shareIsToken0;

    constructor() {
        bytes memory code = type(CognitionPool).creationCode;
        POOL_INIT_CODE_HASH = keccak256(code);
        uint256 size0 = code.length / 2;
        uint256 size1 = code.length - size0;
        _codeSize0 = size0;
        _codeSize1 = size1;
        _codeChunk0 = _storeCode(code, 0, size0);
        _codeChunk1 = _storeCode(code, size0, size1);
    }

    /// @inheritdoc ICognitionPoolFactory
    function feeAmountTickSpacing(uint24 fee) public pure returns (int24) {
        if (fee == 500) return 10;
        if (fee == 3000) return 60;
        if (fee == 10_000) return 200;
        return 0;
    }

    /// @inheritdoc ICognitionPoolFactory
    function parameters()
        external
        view
        returns (address token0, address token1, uint24 fee, int24 tickSpacing, bool shareIsToken0)
    {
        return (_token0, _token1, _fee, _tickSpacing, _shareIsToken0);
    }

    /// @inheritdoc ICognitionPoolFactory
    function createPool(address share, uint24 fee) external returns (address pool) {
        int24 tickSpacing = feeAmountTickSpacing(fee);
        if (tickSpacing == 0) revert InvalidFeeTier(fee);
        address stable = _stablecoinOf(share);
        (address token0, address token1) = share < stable ? (share, stable) : (stable, share);
        pool = getPool[token0][token1][fee];
        if (pool != address(0)) revert PoolExists(pool);

        (_token0, _token1, _fee, _tickSpacing, _shareIsToken0) = (token0, token1, fee, tickSpacing, share == token0);
        pool = _deployPool(keccak256(abi.encode(token0, token1, fee)));
        getPool[token0][token1][fee] = pool;
        getPool[token1][token0][fee] = pool;
        emit PoolCreated(token0, token1, fee, tickSpacing, pool);
    }

    /// @dev CREATE2 of the pool's creation code, reassembled from the two data contracts.
    function _deployPool(bytes32 salt) private returns (address pool) {
        (address chunk0, address chunk1, uint256 size0, uint256 size1) =
            (_codeChunk0, _codeChunk1, _codeSize0, _codeSize1);
        bytes memory code = new bytes(size0 + size1);
        assembly ("memory-safe") {
            let start := add(code, 0x20)
            extcodecopy(chunk0, start, 1, size0)
            extcodecopy(chunk1, add(start, size0), 1, size1)
            pool := create2(0, start, add(size0, size1), salt)
        }
        if (pool == address(0)) revert PoolDeploymentFailed();
    }

    /// @dev Deploys a contract whose code is 0x00 followed by `code[offset : offset + size]`.
    function _storeCode(bytes memory code, uint256 offset, uint256 size) private returns (address data) {
        // PUSH2 n, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN: returns the n bytes after these 12,
        // which are 0x00 and the chunk.
        bytes memory prefix = abi.encodePacked(hex"61", uint16(size + 1), hex"80600c6000396000f300");
        bytes memory init = new bytes(prefix.length + size);
        assembly ("memory-safe") {
            mcopy(add(init, 0x20), add(prefix, 0x20), mload(prefix))
            mcopy(add(add(init, 0x20), mload(prefix)), add(add(code, 0x20), offset), size)
            data := create(0, add(init, 0x20), mload(init))
        }
        if (data == address(0)) revert PoolDeploymentFailed();
    }

    /// @dev The share's stablecoin; reverts with `NotModelShare` if it has none.
    function _stablecoinOf(address share) private view returns (address stable) {
        if (share.code.length == 0) revert NotModelShare(share);
        (bool ok, bytes memory ret) = share.staticcall(abi.encodeCall(IModelShare.stablecoin, ()));
        if (!ok || ret.length < 32) revert NotModelShare(share);
        stable = abi.decode(ret, (address));
        if (stable == address(0) || stable == share) revert NotModelShare(share);
    }
}
