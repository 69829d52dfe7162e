"""`python -m kls_kernel -f CONNECTION_FILE`: what the kernel spec runs."""

from ipykernel.kernelapp import IPKernelApp

from .kernel import KLSKernel

IPKernelApp.launch_instance(kernel_class=KLSKernel)
