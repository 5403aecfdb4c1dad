# Podman as `make test-containers` and test/containers/build-images.sh use it: rootful, with its
# images and containers kept in .data/podman (vfs storage: no overlay mounts needed), and the
# settings in test/containers/containers.conf. Sourced, not run.
mkdir -p .data/podman
export CONTAINERS_CONF=$PWD/test/containers/containers.conf
export PODMAN="podman --root $PWD/.data/podman/storage --runroot $PWD/.data/podman/run --storage-driver vfs"
export PODMAN_SOCKET=$PWD/.data/podman/podman.sock
